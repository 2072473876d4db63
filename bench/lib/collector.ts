// The collector under test: a child process started the way a user starts it (`runlens serve`),
// through the shared test helper. Memory is read from /proc: VmHWM is the peak resident set.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { RUNLENS_BIN, startCollector as startChild, type RunningCollector } from '../../test/helpers/collector.ts';

export type { RunningCollector };

/** Retention off for benchmarks: generated data is up to 30 days old and must stay put. */
const NO_RETENTION = ['--retention-max-age', '3650d'];

let profileDir: string | null = null;

/** With a directory, collectors write CPU profiles there (main thread and writer) when they stop. */
export function profileCollectorsInto(dir: string | null): void {
  profileDir = dir;
}

export async function startCollector(db: string, args: string[] = []): Promise<RunningCollector> {
  if (profileDir === null) return startChild({ db, args: [...NO_RETENTION, ...args], timeoutMs: 120_000 });
  // --cpu-prof is refused in NODE_OPTIONS: start the same command with the flag on node itself.
  const child = spawn(process.execPath, ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, RUNLENS_BIN, 'serve', '--port', '0', '--db', db, ...NO_RETENTION, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const listening = new Promise<RegExpExecArray>((resolve, reject) => {
    const onData = (chunk: string) => {
      output += chunk;
      const match = /runlens listening on (http:\/\/[^\s:]+:(\d+))/.exec(output);
      if (match) resolve(match);
    };
    child.stdout!.setEncoding('utf8').on('data', onData);
    child.stderr!.setEncoding('utf8').on('data', onData);
    child.once('exit', (code) => reject(new Error(`collector exited with ${code}: ${output}`)));
  });
  const match = await listening;
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return {
    url: match[1]!,
    port: Number(match[2]),
    dbPath: db,
    process: child,
    logs: () => output,
    stop: async () => {
      child.kill('SIGTERM');
      return exited;
    },
    kill: async (signal: NodeJS.Signals = 'SIGKILL') => {
      child.kill(signal);
      await exited;
    },
  };
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
