// GET /api/stream: server-sent events, one `run` event (data: the Run JSON) per run created or
// updated by a commit, and a comment every 15 s so proxies keep the connection open.
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { Run } from '@runlens/schema';
import type { Store } from '../store/store.ts';

export interface StreamOptions {
  heartbeatMs?: number;
  /** A client this many events behind is disconnected (EventSource reconnects) rather than buffered without bound. */
  maxPendingEvents?: number;
  /** Aborted when the collector shuts down: every open stream ends. */
  shutdown?: AbortSignal;
}

const defaults = { heartbeatMs: 15_000, maxPendingEvents: 1_000 } satisfies StreamOptions;

export function streamRoutes(store: Store, options: StreamOptions = {}): Hono {
  const opts = { ...defaults, ...options };
  const routes = new Hono();

  routes.get('/', (c) =>
    streamSSE(c, async (stream) => {
      let pending = 0;
      let finish: () => void = () => {};
      const finished = new Promise<void>((resolve) => (finish = resolve));

      const send = (write: Promise<unknown>) => {
        pending++;
        write.then(
          () => pending--,
          () => finish(),
        );
      };
      const unsubscribe = store.onRunsChanged((runs: Run[]) => {
        if (pending > opts.maxPendingEvents) return finish();
        for (const run of runs) send(stream.writeSSE({ event: 'run', id: run.traceId, data: JSON.stringify(run) }));
      });
      const heartbeat = setInterval(() => send(stream.write(': heartbeat\n\n')), opts.heartbeatMs);
      heartbeat.unref();

      stream.onAbort(finish);
      opts.shutdown?.addEventListener('abort', finish, { once: true });
      if (opts.shutdown?.aborted) finish();
      // Tell the client the stream is open, so it knows events from now on will arrive.
      send(stream.write(': connected\n\n'));

      await finished;
      clearInterval(heartbeat);
      unsubscribe();
      opts.shutdown?.removeEventListener('abort', finish);
    }),
  );
  return routes;
}
