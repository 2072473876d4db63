// `runlens gate --baseline prompt=v1 --candidate prompt=v2`: the release gate. Compares the
// candidate version's finished runs with the baseline's and exits 0 (pass), 1 (regression) or
// 3 (inconclusive: too few runs, or a difference that could be noise); 2 is wrong usage.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { loadConfig } from '../config.ts';
import type { GateQuery, GateReport } from '@runlens/schema';
import { formatGateReport } from '../gate/report.ts';
import { GateParamError, gateSearchParams, parseSelector, parseSince, parseThresholds, THRESHOLD_PARAMS } from '../gate/params.ts';
import { stringFlags, UsageError, type Command, type OptionSpec, type OptionValues } from './command.ts';
import { DB_OPTIONS, REMOTE_OPTIONS } from './config-options.ts';

/** The collector to ask, or null to read the database file. `--url` and `--db` exclude each other. */
export function remoteUrl(values: OptionValues, command: string): string | null {
  const url = (values.url as string | undefined) ?? (values.db === undefined ? process.env.RUNLENS_URL?.trim() || undefined : undefined);
  if (url !== undefined && values.db !== undefined) throw new UsageError(`give --url or --db, not both. See: runlens ${command} --help`);
  if (url === undefined) return null;
  try {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new UsageError(`--url: expected an http(s) URL such as http://localhost:4318, got ${JSON.stringify(url)}`);
  }
  return url.replace(/\/+$/, '');
}

/** Calls the collector's API; a refusal or an unreachable collector is an Error naming both. */
export async function callCollector<T>(base: string, path: string, values: OptionValues, init: RequestInit = {}): Promise<T> {
  const token = (values.token as string | undefined) ?? process.env.RUNLENS_TOKEN?.trim();
  const headers: Record<string, string> = { accept: 'application/json', ...(init.body !== undefined && { 'content-type': 'application/json' }) };
  if (token) headers.authorization = `Bearer ${token}`;
  let response: Response;
  try {
    response = await fetch(`${base}${path}`, { ...init, headers, signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new Error(`cannot reach the collector at ${base}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`);
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = null;
  }
  if (!response.ok) {
    const message = (body as { error?: string } | null)?.error ?? `${response.status} ${response.statusText}`;
    throw new Error(`the collector at ${base} refused: ${message}${response.status === 401 ? ' (give a user token with --token or RUNLENS_TOKEN)' : ''}`);
  }
  return body as T;
}

const thresholdOptions: Record<string, OptionSpec> = Object.fromEntries(
  THRESHOLD_PARAMS.map((p) => [p.flag, { type: 'string', value: p.kind === 'count' ? 'N' : p.kind === 'probability' ? 'P' : 'X', description: p.description } satisfies OptionSpec]),
);

function usage(error: unknown): never {
  if (error instanceof GateParamError) throw new UsageError(`${error.message}. See: runlens gate --help`);
  throw error;
}

export const gateCommand: Command = {
  name: 'gate',
  summary: 'release gate: compare a candidate version\'s runs with a baseline\'s; non-zero exit on a regression',
  description:
    'Compares the finished runs of two versions (KEY=VALUE, KEY one of prompt, policy, app, model): success rate, tool error rate,\n' +
    'escalation rate, p95 duration, cost per run, policy violations and budget stops (and evaluation results when both versions have them).\n' +
    'Rates are judged with Fisher\'s exact test, durations and costs with Mann-Whitney U (one-sided, --alpha).\n' +
    'Exit codes: 0 pass, 1 regression (the report names each metric and by how much; also when the gate cannot run),\n' +
    '3 inconclusive (too few runs, or a difference that could be noise: never a pass), 2 wrong usage.\n' +
    'Reads the database file (--db, read-only) or asks a running collector (--url, computed on the server).',
  options: {
    baseline: { type: 'string', value: 'KEY=VALUE', description: 'the version released now, e.g. prompt=v1' },
    candidate: { type: 'string', value: 'KEY=VALUE', description: 'the version to release, e.g. prompt=v2' },
    since: { type: 'string', value: 'AGE', description: 'runs started within this age, e.g. 24h, 7d (default 24h)' },
    service: { type: 'string', value: 'NAME', description: 'only runs of this service' },
    json: { type: 'boolean', description: 'print the report as JSON' },
    ...thresholdOptions,
    ...REMOTE_OPTIONS,
    ...DB_OPTIONS,
  },
  async run(values) {
    const flags = stringFlags(values);
    const now = Date.now();
    let query: GateQuery;
    try {
      const since = parseSince('--since', flags.since ?? '24h');
      query = {
        baseline: parseSelector('--baseline', flags.baseline),
        candidate: parseSelector('--candidate', flags.candidate),
        from: now - since,
        to: now + 1,
        ...(flags.service ? { service: flags.service } : {}),
        thresholds: parseThresholds(flags, 'flag'),
      };
    } catch (error) {
      usage(error);
    }
    const url = remoteUrl(values, 'gate');
    let report: GateReport;
    if (url !== null) {
      report = await callCollector<GateReport>(url, `/api/gate?${gateSearchParams(query, flags.since ?? '24h')}`, values);
    } else {
      const config = loadConfig({ flags, env: process.env });
      const path = resolve(config.db);
      if (!existsSync(path)) throw new Error(`no database at ${path} (give its path with --db, or ask a collector with --url)`);
      const { default: Database } = await import('better-sqlite3');
      const { runGate } = await import('../gate/index.ts');
      // Read-only: safe while a collector writes the same file.
      const db = new Database(path, { readonly: true, fileMustExist: true });
      try {
        report = runGate((sql, params = []) => db.prepare(sql).all(...params) as never[], query);
      } finally {
        db.close();
      }
    }
    process.stdout.write(values.json ? `${JSON.stringify(report, null, 2)}\n` : formatGateReport(report));
    return report.exitCode;
  },
};
