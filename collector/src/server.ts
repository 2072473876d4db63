// Runs the collector: opens the store, serves the app, prunes in the background, and closes
// everything in order (stop accepting, finish requests, drain the write queue) on close().
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createApp } from './app.ts';
import { createSecurity } from './auth/security.ts';
import { AlertEvaluator } from './alerts/evaluator.ts';
import type { CollectorConfig } from './config.ts';
import { openSqliteStore } from './store/sqlite-store.ts';
import type { Store } from './store/store.ts';

/** The collector could not start; the message says why and what to change. */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

export interface RunningCollector {
  /** `http://host:port` with the port actually bound (useful with port 0). */
  url: string;
  port: number;
  store: Store;
  /** Idempotent; resolves once requests have finished and the write queue is on disk. */
  close(): Promise<void>;
}

/** How long close() lets in-flight requests finish before cutting their connections. */
const CLOSE_GRACE_MS = 5_000;

function listen(server: Server): Promise<AddressInfo> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.once('listening', () => {
      server.off('error', onError);
      resolve(server.address() as AddressInfo);
    });
  });
}

function formatUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/** Runs store.prune() every `intervalMs`, never two at once; the store prunes in small chunks. */
function startPruner(store: Store, intervalMs: number): () => Promise<void> {
  let running: Promise<unknown> | null = null;
  let failedBefore = false;
  const timer = setInterval(() => {
    if (running) return;
    running = store
      .prune({ dryRun: false })
      .then(() => (failedBefore = false))
      .catch((error: Error) => {
        // Logged once per streak of failures, so a broken disk does not flood the log.
        if (!failedBefore) console.error(`runlens: retention prune failed: ${error.message}`);
        failedBefore = true;
      })
      .finally(() => (running = null));
  }, intervalMs);
  timer.unref();
  return async () => {
    clearInterval(timer);
    await running;
  };
}

/** Opens the configured database; a failure names the file and says what went wrong. */
export async function openDatabase(config: CollectorConfig): Promise<Store> {
  try {
    return await openSqliteStore({
      path: config.db,
      maxQueuedSpans: config.maxQueuedSpans,
      retention: config.retention,
      ...(config.maxPageCount !== null && { writerPragmas: { max_page_count: config.maxPageCount } }),
    });
  } catch (error) {
    // The store's messages often start with the same words: say them once.
    const message = (error as Error).message.replace(`cannot open database ${config.db}: `, '');
    throw new StartupError(`cannot open database ${config.db}: ${message}`);
  }
}

function describeListenError(error: NodeJS.ErrnoException, config: CollectorConfig): string {
  const where = `${config.host}:${config.port}`;
  if (error.code === 'EADDRINUSE') return `cannot listen on ${where}: the port is in use (pick another with --port, or --port 0 for any free port)`;
  if (error.code === 'EACCES') return `cannot listen on ${where}: permission denied (ports below 1024 need privileges)`;
  if (error.code === 'EADDRNOTAVAIL' || error.code === 'ENOTFOUND') return `cannot listen on ${where}: no such interface on this machine (check --host)`;
  return `cannot listen on ${where}: ${error.message}`;
}

export async function startCollector(config: CollectorConfig): Promise<RunningCollector> {
  const store = await openDatabase(config);
  // Refuse a network address with nobody configured, before anything listens (auth/security.ts).
  const security = createSecurity(store, config);
  const exposure = security.exposureProblem();
  if (exposure !== null) {
    await security.close();
    await store.close();
    throw new StartupError(exposure);
  }
  const warning = security.exposureWarning();
  if (warning !== null) console.error(warning);
  const shutdown = new AbortController();
  let server: Server;
  let address: AddressInfo | undefined;
  // Dashboard links in alert notifications point at this collector unless the config names a URL.
  const alerts = new AlertEvaluator(store, config.alerts, { selfUrl: () => formatUrl(config.host, address?.port ?? config.port) });
  try {
    const app = createApp({ store, config, shutdown: shutdown.signal, security, alerts });
    server = serve({ fetch: app.fetch, hostname: config.host, port: config.port }) as Server;
    address = await listen(server);
  } catch (error) {
    await security.close();
    await store.close();
    throw new StartupError(describeListenError(error as NodeJS.ErrnoException, config));
  }
  const stopPruner = startPruner(store, config.retention.intervalMs);
  alerts.start();

  let closing: Promise<void> | null = null;
  const close = () =>
    (closing ??= (async () => {
      shutdown.abort();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // close() drops only the connections idle right now; a request finishing later (an
      // export waiting for its commit, an event stream ending) leaves a keep-alive connection
      // that would hold the server open, so idle ones are dropped again until all are gone.
      const dropIdle = setInterval(() => server.closeIdleConnections(), 50);
      const force = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      await closed;
      clearInterval(dropIdle);
      clearTimeout(force);
      await stopPruner();
      await alerts.stop();
      await security.close();
      await store.close();
    })());

  return { url: formatUrl(config.host, address!.port), port: address!.port, store, close };
}
