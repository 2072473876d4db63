// Starts and stops the WAL checkpointer thread (checkpointer-worker.mjs says why it exists).
import { Worker } from 'node:worker_threads';

/** How often the thread checkpoints: the WAL then holds ~1 s of writes at most (a few MB). */
export const CHECKPOINT_INTERVAL_MS = 250;

/** A tiny heap: the thread holds one connection and a timer. */
const HEAP_LIMITS = { maxOldGenerationSizeMb: 16, maxYoungGenerationSizeMb: 4 };

export interface Checkpointer {
  /** Stops checkpointing and closes its connection; resolves when the thread has ended. */
  close(): Promise<void>;
}

/**
 * Starts checkpointing the database at `path` (which must exist, in WAL mode). A failing
 * checkpoint is reported once per streak through `onFailure`; the writer's autocheckpoint still
 * bounds the WAL meanwhile, so a failure is never fatal.
 */
export async function startCheckpointer(path: string, onFailure: (message: string) => void): Promise<Checkpointer> {
  const worker = new Worker(new URL('./checkpointer-worker.mjs', import.meta.url), {
    workerData: { path, intervalMs: CHECKPOINT_INTERVAL_MS },
    resourceLimits: HEAP_LIMITS,
  });
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve());
    worker.once('error', reject);
    worker.once('exit', () => reject(new Error('the checkpointer stopped while starting')));
  });
  worker.on('message', (message: { type: string; message?: string }) => {
    if (message.type === 'failed') onFailure(message.message ?? 'unknown error');
  });
  worker.on('error', (error) => onFailure(error.message));
  return {
    close: async () => {
      worker.postMessage('close');
      await exited;
    },
  };
}
