// `runlens eval FILE... --agent MODULE`: runs datasets through an agent and gates on the result;
// `runlens eval traces --since 24h --checks FILE`: trace-level checks over production runs.
// Exit codes (issue 9, "The gate"): 0 pass, 1 regression against --baseline, 2 a failed critical
// check or too many successful attacks, 3 inconclusive or a configuration error (a bad dataset
// line, an unknown baseline, an agent module without a default export: nothing runs).
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parsePolicy } from '@runlens/schema';
import { loadConfig } from '../config.ts';
import { stringFlags, UsageError, type Command, type OptionSpec, type OptionValues } from './command.ts';
import { DB_OPTIONS, REMOTE_OPTIONS } from './config-options.ts';

const CONNECTION_OPTIONS: Record<string, OptionSpec> = {
  ...REMOTE_OPTIONS,
  key: { type: 'string', value: 'KEY', description: 'ingest key for the runs and results sent to --url (env RUNLENS_INGEST_KEY)' },
  ...DB_OPTIONS,
};

export interface Connection {
  client: import('../eval/collector-client.ts').CollectorClient;
  close(): Promise<void>;
}

/**
 * The collector to talk to: --url, or an in-process one on a free loopback port over --db (so the
 * SDK exports to it exactly as it would to a remote one).
 */
export async function connect(values: OptionValues, command: string): Promise<Connection> {
  const { CollectorClient } = await import('../eval/collector-client.ts');
  const flags = stringFlags(values);
  const token = flags.token ?? (process.env.RUNLENS_TOKEN?.trim() || undefined);
  const ingestKey = flags.key ?? (process.env.RUNLENS_INGEST_KEY?.trim() || undefined);
  const url = flags.url ?? (flags.db === undefined ? process.env.RUNLENS_URL?.trim() || undefined : undefined);
  if (url !== undefined && flags.db !== undefined) throw new UsageError(`give --url or --db, not both. See: runlens ${command} --help`);
  if (url !== undefined) {
    if (!/^https?:\/\/./.test(url)) throw new UsageError(`--url: expected an http(s) URL such as http://localhost:4318, got ${JSON.stringify(url)}`);
    return { client: new CollectorClient({ url, token, ingestKey }), close: async () => undefined };
  }
  const config = loadConfig({ flags, env: process.env });
  config.db = resolve(config.db);
  config.host = '127.0.0.1';
  config.port = 0;
  const { startCollector } = await import('../server.ts');
  const collector = await startCollector(config);
  return { client: new CollectorClient({ url: collector.url, token, ingestKey }), close: () => collector.close() };
}

async function loadPolicyReplay(path: string | undefined): Promise<import('../eval/types.ts').PolicyReplay | undefined> {
  if (path === undefined) return undefined;
  const { policyReplay } = await import('../eval/policy-replay.ts');
  const parsed = parsePolicy(await readFile(path, 'utf8'), path);
  if (!parsed.ok) throw new ConfigurationError(parsed.errors.map((error) => error.message));
  return policyReplay(parsed.policy);
}

/** Problems found before anything ran: printed one per line, exit 3. */
class ConfigurationError extends Error {
  readonly lines: string[];
  constructor(lines: string[]) {
    super(lines.join('\n'));
    this.lines = lines;
  }
}

function parseVariant(raw: string[] | undefined): Record<string, string> {
  const variant: Record<string, string> = {};
  for (const item of raw ?? []) {
    const match = /^([A-Za-z][\w.-]*)=(.+)$/.exec(item);
    if (!match) throw new ConfigurationError([`--variant: expected KEY=VALUE (e.g. prompt=v2), got ${JSON.stringify(item)}`]);
    variant[match[1]!] = match[2]!;
  }
  return variant;
}

function positiveInteger(flag: string, raw: string | undefined, fallback: number | undefined, max = 1000): number | undefined {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new ConfigurationError([`--${flag}: expected a whole number from 1 to ${max}, got ${JSON.stringify(raw)}`]);
  return value;
}

function percent(value: number | null): string {
  return value === null ? 'n/a' : `${(value * 100).toFixed(1)}%`;
}

function formatReport(report: import('../eval/verdict.ts').EvalReport, variant: Record<string, string>): string {
  const lines: string[] = [];
  const label = Object.entries(variant).map(([k, v]) => `${k}=${v}`).join(' ');
  lines.push(`experiment ${report.experiment}${label ? ` (${label})` : ''}${report.baseline ? ` against baseline ${report.baseline}` : ''}`);
  for (const suite of ['golden', 'adversarial'] as const) {
    const s = report.suites[suite];
    if (s.cases > 0) lines.push(`  ${suite.padEnd(12)}${s.passed}/${s.cases} cases passed (${percent(s.passRate)})`);
  }
  if (report.attackSuccessRate !== null) {
    lines.push(`  attack success rate ${percent(report.attackSuccessRate)}${report.baselineAttackSuccessRate !== null ? ` (baseline ${percent(report.baselineAttackSuccessRate)})` : ''}`);
  }
  lines.push(`  critical checks failed: ${report.critical.failed}`);
  if (report.regressions.length > 0) lines.push(`  newly failing: ${report.regressions.join(', ')}`);
  if (report.improvements.length > 0) lines.push(`  newly passing: ${report.improvements.join(', ')}`);
  const failing = report.results.filter((result) => !result.passed);
  if (failing.length > 0) lines.push('', 'failed cases:');
  for (const result of failing.slice(0, 50)) {
    for (const trial of result.trials) {
      for (const check of trial.checks.filter((c) => !c.passed)) {
        lines.push(`  ${result.dataset}/${result.caseId} #${trial.trial} [${check.label}] ${check.name} (${check.severity}): ${check.explanation}  trace ${trial.traceId ?? '-'}`);
      }
    }
  }
  lines.push('', `verdict: ${report.verdict} (exit ${report.exitCode})`);
  for (const reason of report.reasons) lines.push(`  ${reason}`);
  return `${lines.join('\n')}\n`;
}

async function runEval(values: OptionValues, files: string[]): Promise<number> {
  const flags = stringFlags(values);
  const { loadDataset } = await import('../eval/dataset.ts');
  const problems: string[] = [];
  if (files.length === 0) problems.push('give at least one dataset file: runlens eval golden.jsonl --agent ./agent.ts');
  if (flags.agent === undefined) problems.push('--agent MODULE is required: a module whose default export is async (input, ctx) => output');
  // Every dataset is validated before anything runs; all problems are reported at once.
  const datasets = [];
  for (const file of files) {
    const loaded = await loadDataset(resolve(file));
    if (loaded.ok) datasets.push(loaded.dataset);
    else problems.push(...loaded.errors.map((error) => error.message));
  }
  const names = new Set<string>();
  for (const dataset of datasets) {
    if (names.has(dataset.name)) problems.push(`${dataset.path}: another dataset is also named ${dataset.name}; case results are keyed by dataset name`);
    names.add(dataset.name);
  }
  const variant = parseVariant(values.variant as string[] | undefined);
  const trials = positiveInteger('trials', flags.trials, undefined);
  const concurrency = positiveInteger('concurrency', flags.concurrency, 4, 256)!;
  const timeoutSeconds = positiveInteger('timeout', flags.timeout, 120, 86_400)!;
  const policy = await loadPolicyReplay(flags.policy);
  let agent: import('../eval/runner.ts').EvalAgent | null = null;
  if (flags.agent !== undefined) {
    const path = resolve(flags.agent);
    if (!existsSync(path)) problems.push(`--agent: no module at ${path}`);
    else {
      try {
        const module = (await import(pathToFileURL(path).href)) as { default?: unknown };
        if (typeof module.default === 'function') agent = module.default as import('../eval/runner.ts').EvalAgent;
        else problems.push(`--agent: ${path} has no default export function (export default async (input, ctx) => output)`);
      } catch (error) {
        problems.push(`--agent: cannot load ${path}: ${(error as Error).message}`);
      }
    }
  }
  if (problems.length > 0) throw new ConfigurationError(problems);

  const name = flags.name ?? (Object.entries(variant).map(([k, v]) => `${k}=${v}`).join(',') || 'eval');
  const connection = await connect(values, 'eval');
  try {
    let baseline = null;
    if (flags.baseline !== undefined) {
      baseline = await connection.client.getExperiment(flags.baseline);
      if (!baseline) throw new ConfigurationError([`--baseline: no stored experiment named ${JSON.stringify(flags.baseline)} at ${connection.client.url}`]);
    }
    const { runExperiment } = await import('../eval/runner.ts');
    const started = Date.now();
    const outcome = await runExperiment({
      name,
      datasets,
      agent: agent!,
      variant,
      collector: connection.client,
      baseline,
      ...(trials !== undefined ? { trials } : {}),
      concurrency,
      timeoutMs: timeoutSeconds * 1000,
      service: flags.service ?? 'runlens-eval',
      ...(policy ? { policy } : {}),
    });
    const { report } = outcome;
    if (flags.junit !== undefined) {
      const { toJUnitXml } = await import('../eval/junit.ts');
      await writeFile(resolve(flags.junit), toJUnitXml(report));
    }
    if (values.json === true) {
      process.stdout.write(`${JSON.stringify({ ...report, id: outcome.id, variant, durationMs: Date.now() - started })}\n`);
    } else {
      process.stdout.write(formatReport(report, variant));
      const where = flags.url !== undefined ? `${connection.client.url}/evals/${encodeURIComponent(name)}` : `/evals/${encodeURIComponent(name)} of \`runlens serve\` on that database`;
      process.stdout.write(`stored as experiment ${name} (#${outcome.id}) in ${((Date.now() - started) / 1000).toFixed(1)} s; see ${where}\n`);
    }
    for (const line of outcome.agentErrors.slice(0, 20)) console.error(`runlens eval: the agent threw in ${line}`);
    if (outcome.missingTraces > 0) console.error(`runlens: ${outcome.missingTraces} run(s) never reached the collector; their cases count as not judged`);
    return report.exitCode;
  } finally {
    await connection.close();
  }
}

async function runTraces(values: OptionValues): Promise<number> {
  const flags = stringFlags(values);
  if (flags.checks === undefined) throw new ConfigurationError(['--checks FILE is required: a JSON array of no_leak, policy, json_schema or domain checks']);
  const { loadTraceChecks, runTraceChecks } = await import('../eval/trace-checks.ts');
  const loaded = await loadTraceChecks(flags.checks);
  if (!loaded.ok) throw new ConfigurationError(loaded.errors);
  const { parseSince } = await import('../gate/params.ts');
  let since: number;
  try {
    since = parseSince('--since', flags.since ?? '24h');
  } catch (error) {
    throw new ConfigurationError([(error as Error).message]);
  }
  const limit = positiveInteger('limit', flags.limit, 10_000, 1_000_000)!;
  const policy = await loadPolicyReplay(flags.policy);
  const connection = await connect(values, 'eval traces');
  try {
    const now = Date.now();
    const report = await runTraceChecks({
      collector: connection.client,
      checks: loaded.checks,
      baseDir: loaded.baseDir,
      from: now - since,
      to: now + 1,
      limit,
      ...(flags.service ? { service: flags.service } : {}),
      ...(policy ? { policy } : {}),
    });
    if (values.json === true) process.stdout.write(`${JSON.stringify(report)}\n`);
    else {
      const lines = [`judged ${report.runs} run(s)${report.skippedEvalRuns ? ` (${report.skippedEvalRuns} evaluation run(s) left out)` : ''}`];
      for (const check of report.checks) {
        lines.push(`  ${check.name} (${check.type}, ${check.severity}): ${check.failed} failed, ${check.errors} could not run, of ${check.judged}${check.failedRuns.length ? `; e.g. ${check.failedRuns.slice(0, 3).join(', ')}` : ''}`);
      }
      lines.push(`exit ${report.exitCode}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    }
    return report.exitCode;
  } finally {
    await connection.close();
  }
}

export const evalCommand: Command = {
  name: 'eval',
  summary: 'run datasets through an agent and gate on the result; `eval traces` checks production runs',
  description:
    'runlens eval FILE... --agent MODULE: validates every dataset (JSONL), then runs each case and trial through the\n' +
    "agent module's default export `async (input, ctx) => output` under the SDK, judges the stored traces with the cases'\n" +
    'checks, records each result as a gen_ai.evaluation.result on the span it judges, stores the experiment under --name and\n' +
    'compares it with --baseline (the newest stored experiment of that name).\n' +
    'runlens eval traces --since 24h --checks FILE: runs no_leak, policy, json_schema and domain checks over recent runs.\n' +
    'Exit codes: 0 pass, 1 regression against the baseline, 2 a failed critical check or a successful attack,\n' +
    '3 inconclusive or a configuration error (nothing runs when a dataset line is wrong).\n' +
    'Without --url an in-process collector serves --db (default ./runlens.db) on a free loopback port.',
  arguments: 'FILE... | traces',
  options: {
    agent: { type: 'string', value: 'MODULE', description: 'the agent module (.js, .mjs or .ts) with a default export async (input, ctx) => output' },
    name: { type: 'string', value: 'NAME', description: 'store the experiment under this name (default: the variant, e.g. prompt=v2)' },
    variant: { type: 'string', value: 'KEY=VALUE', multiple: true, description: 'the variant under test, repeatable: prompt, policy, app, model become runlens.version.*' },
    baseline: { type: 'string', value: 'NAME', description: 'compare with the newest stored experiment of this name' },
    trials: { type: 'string', value: 'N', description: 'trials of a case that does not set its own (default 1)' },
    concurrency: { type: 'string', value: 'N', description: 'runs at a time (default 4)' },
    timeout: { type: 'string', value: 'SECONDS', description: 'a case still running after this fails with a timeout (default 120)' },
    service: { type: 'string', value: 'NAME', description: 'service.name of the evaluation runs (default runlens-eval); eval traces: only runs of this service' },
    policy: { type: 'string', value: 'FILE', description: 'runlens.policy.yaml the policy check replays tool calls against' },
    json: { type: 'boolean', description: 'print the report as JSON' },
    junit: { type: 'string', value: 'FILE', description: 'write a JUnit XML report for CI' },
    since: { type: 'string', value: 'AGE', description: 'eval traces: runs started within this age (default 24h)' },
    checks: { type: 'string', value: 'FILE', description: 'eval traces: JSON file with the checks to run' },
    limit: { type: 'string', value: 'N', description: 'eval traces: at most this many runs, newest first (default 10000)' },
    ...CONNECTION_OPTIONS,
  },
  async run(values, positionals) {
    try {
      if (positionals[0] === 'traces') {
        if (positionals.length > 1) throw new ConfigurationError([`eval traces takes no files, got ${positionals.slice(1).join(' ')}`]);
        return await runTraces(values);
      }
      return await runEval(values, positionals);
    } catch (error) {
      if (error instanceof UsageError) throw error;
      // 1 and 2 are verdicts in CI: a run that could not happen is 3, never a pass or a regression.
      if (error instanceof ConfigurationError) {
        for (const line of error.lines) console.error(line);
        console.error('runlens eval: nothing was run (exit 3)');
      } else {
        console.error(`runlens eval: ${(error as Error).message}`);
        if (process.env.RUNLENS_DEBUG && error instanceof Error) console.error(error.stack);
      }
      return 3;
    }
  },
};
