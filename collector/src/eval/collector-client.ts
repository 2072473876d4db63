// How `runlens eval` and `runlens dataset` talk to a collector: the one it was given with --url,
// or the one it started in-process on --db. Reads use a user token, writes of spans and
// evaluation records an ingest key (the collector's auth, auth/middleware.ts); a loopback
// collector with none configured needs neither.

import type { RunsPage, TraceDetail } from '@runlens/schema';
import { EVALUATION_EVENT_NAME, toEvaluationEventAttributes } from './events.ts';
import type { ExperimentDetail, ExperimentRecord } from './experiments.ts';
import type { CheckResult } from './types.ts';

export interface CollectorClientOptions {
  /** `http://host:port`, without a trailing slash. */
  url: string;
  /** User token for /api. */
  token?: string | undefined;
  /** Ingest key for /v1/traces and /v1/logs. */
  ingestKey?: string | undefined;
}

/** A check result to record on the span it judges. */
export interface JudgedSpan {
  traceId: string;
  spanId: string;
  result: CheckResult;
}

export class CollectorError extends Error {
  readonly status: number | null;
  constructor(message: string, status: number | null) {
    super(message);
    this.name = 'CollectorError';
    this.status = status;
  }
}

type OtlpAnyValue = { stringValue: string } | { doubleValue: number } | { boolValue: boolean };

function anyValue(value: unknown): OtlpAnyValue {
  if (typeof value === 'number') return { doubleValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  return { stringValue: String(value) };
}

export class CollectorClient {
  readonly url: string;
  readonly #token: string | undefined;
  readonly #ingestKey: string | undefined;

  constructor(options: CollectorClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.#token = options.token;
    this.#ingestKey = options.ingestKey;
  }

  /** Headers the SDK's exporter sends with spans. */
  get ingestHeaders(): Record<string, string> {
    return this.#ingestKey ? { authorization: `Bearer ${this.#ingestKey}` } : {};
  }

  async #call<T>(path: string, init: RequestInit & { ingest?: boolean } = {}): Promise<{ status: number; body: T | null }> {
    const secret = init.ingest ? this.#ingestKey : this.#token;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (secret) headers.authorization = `Bearer ${secret}`;
    let response: Response;
    try {
      response = await fetch(`${this.url}${path}`, { ...init, headers, signal: AbortSignal.timeout(30_000) });
    } catch (error) {
      const cause = (error as Error).cause;
      throw new CollectorError(`cannot reach the collector at ${this.url}: ${cause instanceof Error ? cause.message : (error as Error).message}`, null);
    }
    const text = await response.text();
    let body: unknown = null;
    try {
      body = text === '' ? null : JSON.parse(text);
    } catch {
      body = null;
    }
    if (!response.ok && response.status !== 404) {
      const message = (body as { error?: string; message?: string } | null)?.error ?? (body as { message?: string } | null)?.message ?? `${response.status} ${response.statusText}`;
      const hint = response.status === 401 ? (init.ingest ? ' (give an ingest key with --key or RUNLENS_INGEST_KEY)' : ' (give a user token with --token or RUNLENS_TOKEN)') : '';
      throw new CollectorError(`the collector at ${this.url} refused ${init.method ?? 'GET'} ${path.split('?')[0]}: ${message}${hint}`, response.status);
    }
    return { status: response.status, body: response.status === 404 ? null : (body as T) };
  }

  async getTrace(traceId: string): Promise<TraceDetail | null> {
    return (await this.#call<TraceDetail>(`/api/runs/${traceId}`)).body;
  }

  async listRuns(params: Record<string, string>): Promise<RunsPage> {
    const { body } = await this.#call<RunsPage>(`/api/runs?${new URLSearchParams(params)}`);
    return body ?? { runs: [], nextCursor: null };
  }

  async datasetLine(traceId: string): Promise<{ line: string; case: Record<string, unknown> } | null> {
    return (await this.#call<{ line: string; case: Record<string, unknown> }>(`/api/runs/${traceId}/dataset-line`)).body;
  }

  async getExperiment(name: string): Promise<ExperimentDetail | null> {
    return (await this.#call<ExperimentDetail>(`/api/evals/${encodeURIComponent(name)}`)).body;
  }

  async saveExperiment(record: ExperimentRecord): Promise<{ id: number }> {
    const { body } = await this.#call<{ id: number }>('/api/evals', { method: 'POST', body: JSON.stringify(record) });
    return body!;
  }

  /**
   * Records check results as `gen_ai.evaluation.result` OTLP log records at /v1/logs, each with
   * the trace and span id it judges (the collector shows them as events on that span).
   */
  async recordResults(judged: JudgedSpan[], serviceName: string): Promise<void> {
    const batchSize = 500;
    for (let start = 0; start < judged.length; start += batchSize) {
      const now = BigInt(Date.now()) * 1_000_000n;
      const logRecords = judged.slice(start, start + batchSize).map((item, index) => ({
        // Distinct times keep two identical results of one span (two trials share no span, but
        // two checks may share a name) from being taken for one record sent twice.
        timeUnixNano: String(now + BigInt(start + index)),
        eventName: EVALUATION_EVENT_NAME,
        traceId: item.traceId,
        spanId: item.spanId,
        attributes: Object.entries(toEvaluationEventAttributes(item.result)).map(([key, value]) => ({ key, value: anyValue(value) })),
      }));
      const request = {
        resourceLogs: [
          {
            resource: { attributes: [{ key: 'service.name', value: { stringValue: serviceName } }] },
            scopeLogs: [{ scope: { name: 'runlens-eval' }, logRecords }],
          },
        ],
      };
      await this.#call('/v1/logs', { method: 'POST', body: JSON.stringify(request), ingest: true });
    }
  }
}
