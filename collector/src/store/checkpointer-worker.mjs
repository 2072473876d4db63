// The checkpointer thread: copies committed pages from the WAL into the database file on its own
// connection, with PASSIVE checkpoints (they never block the writer or readers), so that the
// writer's commits no longer do it. Measured here: the commit that crossed the 16,384-page
// autocheckpoint took ~150 ms more than the others (64 MB copied and synced), which is what set
// the export p99 below saturation. The writer keeps its autocheckpoint as a fallback; after this
// thread has copied the pages it finds nothing left to do.
//
// Plain JavaScript on purpose: it is a few lines, and a TypeScript worker would cost a tsx
// loader thread of its own (~15-30 MB of RSS).
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

/** @type {{ path: string, intervalMs: number }} */
const { path, intervalMs } = workerData;
const port = /** @type {import('node:worker_threads').MessagePort} */ (parentPort);

const db = new Database(path, { fileMustExist: true });
// Never wait for a lock: a checkpoint that cannot run now runs at the next tick.
db.pragma('busy_timeout = 0');

let failing = false;
const timer = setInterval(() => {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
    failing = false;
  } catch (error) {
    // Reported once per streak; the writer's own autocheckpoint still bounds the WAL meanwhile.
    if (!failing) port.postMessage({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    failing = true;
  }
}, intervalMs);

port.on('message', (message) => {
  if (message !== 'close') return;
  clearInterval(timer);
  db.close();
  port.close();
});
port.postMessage({ type: 'ready' });
