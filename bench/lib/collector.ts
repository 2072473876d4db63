// The collector under test: a child process started the way a user starts it (`runlens serve`),
// through the shared test helper. Memory is read from /proc: VmHWM is the peak resident set.
import { readdirSync, readFileSync } from 'node:fs';
import type { HealthResponse } from '@runlens/schema';
import { startCollector as startChild, type RunningCollector } from '../../test/helpers/collector.ts';

export type { RunningCollector };

/** Retention off for benchmarks: generated data is up to 30 days old and must stay put. */
const NO_RETENTION = ['--retention-max-age', '3650d'];

let profileDir: string | null = null;

/** With a directory, collectors write CPU profiles there (main thread and writer) when they stop. */
export function profileCollectorsInto(dir: string | null): void {
  profileDir = dir;
}

/** What sets one collector apart from another in an A/B (`cpu-ab.ts`): its environment and `node` flags. */
export interface CollectorVariant {
  /** RUNLENS_* settings. */
  env?: Record<string, string>;
  /** Flags for `node` itself (V8 flags such as --max-semi-space-size). */
  nodeArgs?: string[];
}

/** A collector on `db` for the bench, as `variant` sets it apart. */
export async function startCollector(db: string, args: string[] = [], variant: CollectorVariant = {}): Promise<RunningCollector> {
  // Profiles are written when the collector stops, one file per thread.
  const profile = profileDir === null ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`];
  return startChild({ db, args: [...NO_RETENTION, ...args], env: variant.env, nodeArgs: [...(variant.nodeArgs ?? []), ...profile], timeoutMs: 120_000 });
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

/** CPU time (user + system, µs) of each thread of a process, by thread id, from /proc. */
export function threadCpuMicros(pid: number): Map<string, number> {
  const ticksToMicros = 10_000; // USER_HZ is 100 on Linux
  const out = new Map<string, number>();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      // Fields after the command name, which is in parentheses and may hold spaces.
      const fields = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8').split(') ')[1]!.split(' ');
      out.set(tid, (Number(fields[11]) + Number(fields[12])) * ticksToMicros);
    } catch {
      // The thread ended between the listing and the read.
    }
  }
  return out;
}

/**
 * CPU µs per span spent by the collector between two threadCpuMicros readings: in all, on the main
 * thread (its id is the process id), on the writer thread (the busiest of the others: Node does
 * not name its threads) and on the rest (V8's GC helper threads, the checkpointer, libuv).
 */
export function cpuPerSpan(pid: number, before: Map<string, number>, after: Map<string, number>, spans: number) {
  const used = [...after].map(([tid, micros]) => ({ tid, micros: micros - (before.get(tid) ?? 0) }));
  const total = used.reduce((sum, t) => sum + t.micros, 0);
  const main = used.find((t) => t.tid === String(pid))?.micros ?? 0;
  const writer = Math.max(0, ...used.filter((t) => t.tid !== String(pid)).map((t) => t.micros));
  const per = (micros: number) => Math.round((micros / Math.max(1, spans)) * 10) / 10;
  return { total: per(total), main: per(main), writer: per(writer), other: per(total - main - writer) };
}

/**
 * Runs `load` against a collector whose queue is empty, waits until what it accepted is written,
 * and measures it: the spans stored, /healthz afterwards, and the collector's CPU per stored span.
 */
export async function measureStored<T>(collector: RunningCollector, load: () => Promise<T>) {
  const pid = collector.process.pid!;
  const before = await drained(collector.url);
  const cpuBefore = threadCpuMicros(pid);
  const result = await load();
  const after = await drained(collector.url);
  const stored = after.spans - before.spans;
  return { result, stored, after, cpu: cpuPerSpan(pid, cpuBefore, threadCpuMicros(pid), stored) };
}

export async function health(url: string): Promise<HealthResponse> {
  const response = await fetch(`${url}/healthz`);
  if (!response.ok) throw new Error(`GET /healthz answered ${response.status}`);
  return (await response.json()) as HealthResponse;
}

/** Waits until the collector's write queue is empty (bounded). */
export async function drained(url: string, timeoutMs = 60_000): Promise<HealthResponse> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const h = await health(url);
    if (h.queueDepth === 0 || Date.now() > until) return h;
    await new Promise((r) => setTimeout(r, 100));
  }
}
