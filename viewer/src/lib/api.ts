// The viewer's only way to the collector: the read API of design.md ("HTTP API"), same origin.
import type { MetricsQuery, MetricsResponse, Run, RunsPage, RunsQuery, RunStreamEvent, TraceDetail } from '@runlens/schema';

export class ApiError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

function queryString(params: object): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) {
    if (value !== undefined && value !== null && value !== '') search.set(key, String(value));
  }
  const s = search.toString();
  return s ? `?${s}` : '';
}

async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await fetch(path, { signal: signal ?? null, headers: { accept: 'application/json' } });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try {
      const body = (await response.json()) as { error?: string };
      if (body.error) message = body.error;
    } catch {
      // not JSON: keep the status line
    }
    throw new ApiError(response.status, message);
  }
  return (await response.json()) as T;
}

export function fetchRuns(query: RunsQuery, signal?: AbortSignal): Promise<RunsPage> {
  return getJson(`/api/runs${queryString(query)}`, signal);
}

export function fetchTrace(traceId: string, signal?: AbortSignal): Promise<TraceDetail> {
  return getJson(`/api/runs/${encodeURIComponent(traceId)}`, signal);
}

export function fetchMetrics(query: MetricsQuery, signal?: AbortSignal): Promise<MetricsResponse> {
  return getJson(`/api/metrics${queryString(query)}`, signal);
}

/**
 * Subscribes to runs created or updated (`GET /api/stream`, event `run`). The browser's
 * EventSource reconnects by itself after a dropped connection. Returns the unsubscribe function.
 */
export function subscribeRuns(onRun: (run: Run) => void, onState?: (connected: boolean) => void): () => void {
  const source = new EventSource('/api/stream');
  const handle = (event: MessageEvent<string>) => {
    try {
      const data = JSON.parse(event.data) as Run | RunStreamEvent;
      // Accept both the bare run and the `{ type: 'run', run }` envelope.
      const run = 'run' in data && typeof data.run === 'object' ? data.run : (data as Run);
      if (run && typeof run.traceId === 'string') onRun(run);
    } catch {
      // a malformed message is skipped; the next one may be fine
    }
  };
  source.addEventListener('run', handle as EventListener);
  source.addEventListener('open', () => onState?.(true));
  source.addEventListener('error', () => onState?.(source.readyState === EventSource.OPEN));
  return () => source.close();
}
