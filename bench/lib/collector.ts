// The collector under test: a child process started the way a user starts it (`runlens serve`),
// through the shared test helper. Memory is read from /proc: VmHWM is the peak resident set.
import { readFileSync } from 'node:fs';
import { startCollector as startChild, type RunningCollector } from '../../test/helpers/collector.ts';

export type { RunningCollector };

/** Retention off for benchmarks: generated data is up to 30 days old and must stay put. */
const NO_RETENTION = ['--retention-max-age', '3650d'];

export function startCollector(db: string, args: string[] = []): Promise<RunningCollector> {
  return startChild({ db, args: [...NO_RETENTION, ...args], timeoutMs: 120_000 });
}

export interface Memory {
  rssMb: number;
  peakRssMb: number;
}

export function memoryOf(pid: number): Memory {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? Number.NaN);
  return { rssMb: kb('VmRSS') / 1024, peakRssMb: kb('VmHWM') / 1024 };
}

export interface Health {
  spans: number;
  queueDepth: number;
}

export async function health(url: string): Promise<Health> {
  const response = await fetch(`${url}/healthz`);
  if (!response.ok) throw new Error(`GET /healthz answered ${response.status}`);
  return (await response.json()) as Health;
}

/** Waits until the collector's write queue is empty (bounded). */
export async function drained(url: string, timeoutMs = 60_000): Promise<Health> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const h = await health(url);
    if (h.queueDepth === 0 || Date.now() > until) return h;
    await new Promise((r) => setTimeout(r, 100));
  }
}
