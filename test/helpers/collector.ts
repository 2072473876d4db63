// Starts the real collector as a child process, the way a user does (`runlens serve`), on a free
// port with a temporary database. Shared by every whole-path test (collector, SDK, viewer, bench).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const RUNLENS_BIN = join(REPO_ROOT, 'collector/bin/runlens.mjs');

export interface StartCollectorOptions {
  /** Database file; a fresh one in a temporary directory when omitted. */
  db?: string;
  /** Extra arguments after `serve --port 0 --db <db>`. */
  args?: string[];
  /** Replaces `--port 0 --db <db>` (to test environment variables or a config file instead). */
  serveArgs?: string[];
  /** Extra environment variables (RUNLENS_* from the parent are not inherited). */
  env?: Record<string, string>;
  /** Working directory; a temporary directory by default, so no stray runlens.config.json is read. */
  cwd?: string;
  /** How long to wait for the "listening" line. */
  timeoutMs?: number;
  /** Flags for `node` itself, before the script (V8 flags such as --max-semi-space-size, --cpu-prof). */
  nodeArgs?: string[];
}

export interface RunningCollector {
  /** `http://127.0.0.1:<port>` */
  url: string;
  port: number;
  dbPath: string;
  /** Everything the process wrote to stdout and stderr so far. */
  logs(): string;
  /** SIGTERM, then waits for the exit; resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Sends `signal` (SIGKILL by default) and waits for the process to be gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  readonly process: ChildProcess;
}

/** A fresh temporary directory under the OS temp dir. */
export function makeTempDir(prefix = 'runlens-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A path for a database that does not exist yet. */
export function tempDbPath(): string {
  return join(makeTempDir(), 'runlens.db');
}

/** The parent's environment without RUNLENS_* variables, plus `extra`. */
function childEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !key.startsWith('RUNLENS_')) env[key] = value;
  }
  return { ...env, ...extra };
}

function waitForExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

const LISTENING = /runlens listening on (http:\/\/[^\s:]+:(\d+))/;

export async function startCollector(options: StartCollectorOptions = {}): Promise<RunningCollector> {
  const dbPath = options.db ?? tempDbPath();
  const args = [...(options.nodeArgs ?? []), RUNLENS_BIN, 'serve', ...(options.serveArgs ?? ['--port', '0', '--db', dbPath]), ...(options.args ?? [])];
  const child = spawn(process.execPath, args, {
    cwd: options.cwd ?? makeTempDir(),
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));

  const timeoutMs = options.timeoutMs ?? 30_000;
  const { url, port } = await new Promise<{ url: string; port: number }>((resolve, reject) => {
    const timer = setTimeout(() => {
      cleanup();
      child.kill('SIGKILL');
      reject(new Error(`collector did not report listening within ${timeoutMs} ms; output:\n${output}`));
    }, timeoutMs);
    const onData = () => {
      const match = LISTENING.exec(output);
      if (match) {
        cleanup();
        resolve({ url: match[1]!, port: Number(match[2]) });
      }
    };
    const onExit = (code: number | null) => {
      cleanup();
      reject(new Error(`collector exited with code ${code} before listening; output:\n${output}`));
    };
    const cleanup = () => {
      clearTimeout(timer);
      child.stdout!.off('data', onData);
      child.stderr!.off('data', onData);
      child.off('exit', onExit);
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', onExit);
  });

  return {
    url,
    port,
    dbPath,
    process: child,
    logs: () => output,
    async stop() {
      const exited = waitForExit(child);
      child.kill('SIGTERM');
      return exited;
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      const exited = waitForExit(child);
      child.kill(signal);
      await exited;
    },
  };
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `runlens <args>` to completion (for one-shot commands such as `prune`). */
export function runCli(args: string[], options: { env?: Record<string, string>; cwd?: string } = {}): Promise<CliResult> {
  const child = spawn(process.execPath, [RUNLENS_BIN, ...args], {
    cwd: options.cwd ?? makeTempDir(),
    env: childEnv(options.env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}
