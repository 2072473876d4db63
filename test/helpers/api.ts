// Reads the collector's HTTP API in tests: JSON GETs with their status, and the SSE stream.
import type { HealthResponse, Run, RunsPage } from '@runlens/schema';

export interface ApiAnswer<T> {
  status: number;
  body: T;
  headers: Headers;
}

/** GET `path` and parse the JSON body whatever the status. */
export async function getJson<T = unknown>(baseUrl: string, path: string): Promise<ApiAnswer<T>> {
  const response = await fetch(baseUrl + path);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`GET ${path} answered ${response.status} with non-JSON: ${text.slice(0, 200)}`);
  }
  return { status: response.status, body: body as T, headers: response.headers };
}

/** GET `path` expecting 200; throws with the answer otherwise. */
export async function getOk<T>(baseUrl: string, path: string): Promise<T> {
  const answer = await getJson<T>(baseUrl, path);
  if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** Every run matching `query` (a query string without `?`), following cursors. */
export async function listAllRuns(baseUrl: string, query = ''): Promise<Run[]> {
  const runs: Run[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams(query);
    params.set('limit', '500');
    if (cursor) params.set('cursor', cursor);
    const page: RunsPage = await getOk<RunsPage>(baseUrl, `/api/runs?${params}`);
    runs.push(...page.runs);
    cursor = page.nextCursor;
  } while (cursor);
  return runs;
}

/** What the database holds, as the API reports it: span count (healthz) and run count. */
export async function countStored(baseUrl: string): Promise<{ spans: number; runs: number }> {
  const health = await getOk<HealthResponse>(baseUrl, '/healthz');
  return { spans: health.spans, runs: (await listAllRuns(baseUrl)).length };
}

export interface SseEvent {
  event: string;
  data: string;
  id: string | null;
}

export interface EventStream {
  /** Resolves with the first event (already received or coming) matching `predicate`. */
  next(predicate: (event: SseEvent) => boolean, timeoutMs?: number): Promise<SseEvent>;
  /** Comments received (lines starting with `:`), e.g. heartbeats. */
  comments: string[];
  close(): void;
}

/** Connects to `/api/stream`; resolves once the server has opened the stream. */
export async function openEventStream(baseUrl: string, path = '/api/stream'): Promise<EventStream> {
  const abort = new AbortController();
  const response = await fetch(baseUrl + path, { signal: abort.signal, headers: { Accept: 'text/event-stream' } });
  if (response.status !== 200 || !response.body) throw new Error(`GET ${path} answered ${response.status}`);
  const events: SseEvent[] = [];
  const comments: string[] = [];
  const waiters = new Set<() => void>();
  const decoder = new TextDecoder();
  let buffer = '';

  const parseBlock = (block: string) => {
    let event = 'message';
    let id: string | null = null;
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) comments.push(line.slice(1).trim());
      else if (line.startsWith('event:')) event = line.slice(6).trim();
      else if (line.startsWith('id:')) id = line.slice(3).trim();
      else if (line.startsWith('data:')) data.push(line.slice(5).replace(/^ /, ''));
    }
    if (data.length > 0) events.push({ event, id, data: data.join('\n') });
  };

  const reader = response.body.getReader();
  void (async () => {
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true }).replace(/\r\n/g, '\n');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          parseBlock(buffer.slice(0, end));
          buffer = buffer.slice(end + 2);
        }
        for (const wake of waiters) wake();
      }
    } catch {
      // aborted by close()
    }
  })();

  // The collector writes `: connected` once it has subscribed: events after this are delivered.
  const deadline = Date.now() + 10_000;
  while (!comments.includes('connected')) {
    if (Date.now() > deadline) throw new Error(`GET ${path}: no ": connected" comment within 10 s`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }

  return {
    comments,
    close: () => abort.abort(),
    next(predicate, timeoutMs = 10_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          const found = events.find(predicate);
          if (!found) return;
          events.splice(events.indexOf(found), 1);
          finish();
          resolve(found);
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`no matching event within ${timeoutMs} ms (received ${events.length} other events)`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
  };
}
