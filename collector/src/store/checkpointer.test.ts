import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { DEFAULT_CONFIG } from '../config.ts';
import { agentRun, newTraceId } from './agent-run-fixture.ts';
import { CHECKPOINT_INTERVAL_MS } from './checkpointer.ts';
import { openSqliteStore } from './sqlite-store.ts';

const dir = mkdtempSync(join(tmpdir(), 'runlens-checkpointer-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const T0 = Date.UTC(2026, 10, 20, 9, 0, 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it('moves committed pages from the WAL into the database file while the store is open', async () => {
  const path = join(dir, 'runlens.db');
  const store = await openSqliteStore({ path, retention: DEFAULT_CONFIG.retention, maxQueuedSpans: 100_000 });
  try {
    // Far below the writer's 16,384-page autocheckpoint: only the checkpointer can copy these.
    for (let i = 0; i < 40; i++) await store.write(agentRun({ traceId: newTraceId(), startMs: T0 + i * 1000, steps: 3 }));
    const sizeAfterWrites = statSync(path).size;
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(0);
    let size = sizeAfterWrites;
    for (let waited = 0; size === sizeAfterWrites && waited < 40 * CHECKPOINT_INTERVAL_MS; waited += CHECKPOINT_INTERVAL_MS) {
      await sleep(CHECKPOINT_INTERVAL_MS);
      size = statSync(path).size;
    }
    expect(size).toBeGreaterThan(sizeAfterWrites);
  } finally {
    await store.close();
  }
});
