// Options of init(), and the environment read at the edge: option > environment > default.
import type { RedactionConfig } from '@runlens/schema';
import type { TracerProvider } from '@opentelemetry/api';
import type { SpanExporter } from '@opentelemetry/sdk-trace-node';
import type { Budgets } from './budget.ts';
import { RunlensConfigError } from './errors.ts';
import type { OnApproval } from './policy/gate.ts';
import type { PolicyOption } from './policy/source.ts';

export interface Versions {
  /** Prompt version, e.g. `v2` or a hash of the template. */
  prompt?: string;
  /** Policy version. */
  policy?: string;
  /** Application version, sent as the resource's `service.version`. */
  app?: string;
}

/** Something that tells the time in epoch milliseconds (a virtual clock makes demo traces fast). */
export interface Clock {
  now(): number;
}

export interface InitOptions {
  /** Service name (`service.name`): one per agent workflow. */
  service: string;
  /** Collector base URL, as `OTEL_EXPORTER_OTLP_ENDPOINT`: `/v1/traces` is appended. */
  endpoint?: string;
  /** Extra export headers, e.g. `{ Authorization: 'Bearer …' }`; merged over `OTEL_EXPORTER_OTLP_HEADERS`. */
  headers?: Record<string, string>;
  versions?: Versions;
  budgets?: Budgets;
  /** Redaction before export; `false` turns it off. Default: every built-in detector. */
  redact?: RedactionConfig | boolean;
  /** Send prompts, outputs, tool arguments and results. Default true; false sends none of them. */
  captureContent?: boolean;
  /** Use this tracer provider (an OpenTelemetry setup the application already has). */
  tracerProvider?: TracerProvider;
  /** Use the globally registered tracer provider instead of creating one. */
  useGlobalTracerProvider?: boolean;
  /** Export spans here instead of OTLP/HTTP (e.g. `new InMemorySpanExporter()` in tests). */
  exporter?: SpanExporter;
  /** Spans waiting for export beyond this are dropped and counted. Default 2048. */
  maxQueueSize?: number;
  /** Delay between batch exports, ms. Default 1000. */
  scheduledDelayMillis?: number;
  /** Timeout of one export request, ms (as `OTEL_EXPORTER_OTLP_TIMEOUT`). Default 10000. */
  exportTimeoutMillis?: number;
  /** Flush when the process is about to exit normally. Default true. */
  flushOnExit?: boolean;
  clock?: Clock;
  /**
   * Tool policy enforced in `run.tool`: a `runlens.policy.yaml` path, a policy object, or
   * `'remote'` (fetched from the collector for this service, polled, cached through outages).
   */
  policy?: PolicyOption;
  /** Decides approval requests (chat, ticketing); without it requests go to the collector's inbox. */
  onApproval?: OnApproval;
  /** How long a tool call waits for an approval, ms. Default 300000 (5 minutes). */
  approvalTimeoutMs?: number;
  /** How often a remote policy is fetched again, ms. Default 30000. */
  policyRefreshMs?: number;
}

export type Env = Record<string, string | undefined>;

const DEFAULT_ENDPOINT = 'http://localhost:4318';

/** Treat empty as unset, like the OpenTelemetry environment readers. */
function envString(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

function checkUrl(url: string, source: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http(s)');
  } catch {
    throw new RunlensConfigError(`${source} must be an http(s) URL such as http://localhost:4318, got '${url}'`);
  }
  return url;
}

function appendTracesPath(base: string): string {
  return `${base.replace(/\/+$/, '')}/v1/traces`;
}

/**
 * The URL spans are posted to: `endpoint` option + `/v1/traces`, else
 * `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` as is, else `OTEL_EXPORTER_OTLP_ENDPOINT` + `/v1/traces`,
 * else the local collector.
 */
export function resolveTracesUrl(endpoint: string | undefined, env: Env = process.env): string {
  if (endpoint !== undefined && endpoint.trim() !== '') {
    return appendTracesPath(checkUrl(endpoint.trim(), 'init({ endpoint })'));
  }
  const tracesEndpoint = envString(env, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  if (tracesEndpoint) return checkUrl(tracesEndpoint, 'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT');
  const base = envString(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  if (base) return appendTracesPath(checkUrl(base, 'OTEL_EXPORTER_OTLP_ENDPOINT'));
  return appendTracesPath(DEFAULT_ENDPOINT);
}

/** Export timeout: option > `OTEL_EXPORTER_OTLP_TRACES_TIMEOUT` > `OTEL_EXPORTER_OTLP_TIMEOUT` > 10 s. */
export function resolveExportTimeout(option: number | undefined, env: Env = process.env): number {
  if (option !== undefined) {
    if (!(option > 0)) throw new RunlensConfigError(`init({ exportTimeoutMillis }) must be a positive number, got ${option}`);
    return option;
  }
  for (const name of ['OTEL_EXPORTER_OTLP_TRACES_TIMEOUT', 'OTEL_EXPORTER_OTLP_TIMEOUT']) {
    const raw = envString(env, name);
    if (raw === undefined) continue;
    const value = Number(raw);
    if (value > 0) return value;
    // A bad value is warned about and ignored, never fatal.
    console.warn(`[runlens] ignoring ${name}=${raw}: expected a positive number of milliseconds`);
  }
  return 10_000;
}

export function validateInitOptions(options: InitOptions): void {
  if (!options || typeof options.service !== 'string' || options.service.trim() === '') {
    throw new RunlensConfigError("init() needs a service name: init({ service: 'support-agent' })");
  }
  if (options.maxQueueSize !== undefined && !(options.maxQueueSize >= 1)) {
    throw new RunlensConfigError(`init({ maxQueueSize }) must be at least 1, got ${options.maxQueueSize}`);
  }
}
