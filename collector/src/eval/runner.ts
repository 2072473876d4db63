// The runner of `runlens eval`: every case and trial of the datasets is one run of the agent
// under the SDK, exported to a collector; once the runs are stored, each stored trace is judged
// (judge.ts), the results are recorded on the traces as `gen_ai.evaluation.result` log records
// and the experiment is stored with its verdict against the baseline.
//
// Three phases, so that one flush covers every run and judging never races the export:
//   1. run     cases × trials through the agent, `concurrency` at a time
//   2. flush   the SDK's exporter; the collector acknowledges only committed spans
//   3. judge   fetch each trace, run its checks, record the results, store the experiment

import { RunlensClient } from '@runlens/sdk';
import type { AgentRun } from '@runlens/sdk';
import { RUNLENS } from '@runlens/schema';
import type { TraceDetail } from '@runlens/schema';
import type { CollectorClient, JudgedSpan } from './collector-client.ts';
import type { ExperimentDetail, ExperimentRecord } from './experiments.ts';
import { toExperimentResults } from './experiments.ts';
import { judgeTrial, toCaseResult } from './judge.ts';
import type { Dataset, EvalCase, ObservedToolCall, PolicyReplay } from './types.ts';
import { evaluateGate } from './verdict.ts';
import type { EvalReport, GateOptions, TrialResult } from './verdict.ts';

/** What the agent module's default export receives besides the case's input. */
export interface EvalAgentContext {
  /** The SDK run handle: `ctx.run.llm(…)`, `ctx.run.tool(…)` are traced as usual. */
  run: AgentRun;
  /** A fresh copy of the case's `env` for the fake tools; what it holds afterwards is the post-state. */
  env: Record<string, unknown>;
  caseId: string;
  trial: number;
  /** The variant of this experiment, e.g. `{ prompt: 'v2' }`. */
  variant: Record<string, string>;
}

export type EvalAgent = (input: unknown, ctx: EvalAgentContext) => unknown | Promise<unknown>;

/** The variant keys that are versions Runlens knows: `prompt=v2` → `runlens.version.prompt`. */
export const VERSION_KEYS = ['prompt', 'policy', 'app', 'model'] as const;

export interface RunExperimentOptions {
  name: string;
  datasets: Dataset[];
  agent: EvalAgent;
  variant: Record<string, string>;
  collector: CollectorClient;
  baseline: ExperimentDetail | null;
  /** Trials of a case that does not say (default 1). */
  trials?: number;
  concurrency?: number;
  /** `service.name` of the eval runs. */
  service?: string;
  policy?: PolicyReplay;
  gate?: GateOptions;
  /** A case run longer than this fails with a timeout (the agent is not stopped). Default 120 s. */
  timeoutMs?: number;
}

export interface ExperimentOutcome {
  report: EvalReport;
  id: number;
  /** Traces whose spans never reached the collector (their cases fail with an error check). */
  missingTraces: number;
  /** Cases whose agent call threw (or timed out): the run is recorded as failed and still judged. */
  agentErrors: string[];
}

interface PendingTrial {
  dataset: Dataset;
  evalCase: EvalCase;
  trial: number;
  traceId: string | null;
  output: unknown;
  error: unknown;
  env: Record<string, unknown>;
  toolCalls: ObservedToolCall[];
}

/** Runs `work` over `items`, at most `limit` at a time, keeping their order in the answer. */
export async function mapConcurrently<T, R>(items: readonly T[], limit: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return results;
}

/**
 * `run.tool` as the agent calls it, recording the arguments as given, before the SDK redacts them
 * on the span: `no_leak` judges what the agent produced, not what export let through.
 */
function observingRun(run: AgentRun, calls: ObservedToolCall[]): AgentRun {
  return new Proxy(run, {
    get(target, property) {
      if (property === 'tool') {
        return (name: string, args: unknown, fn: (args: unknown) => unknown, options?: Parameters<AgentRun['tool']>[3]) => {
          calls.push({ name, arguments: structuredCloneOrSelf(args) });
          return target.tool(name, args, fn, options);
        };
      }
      const value = Reflect.get(target, property, target) as unknown;
      // AgentRun keeps its state in #private fields: its methods must run on the real object.
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

export class CaseTimeoutError extends Error {
  constructor(caseId: string, ms: number) {
    super(`case ${caseId} did not finish within ${ms} ms`);
    this.name = 'CaseTimeoutError';
  }
}

function withTimeout<T>(work: Promise<T>, ms: number, caseId: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new CaseTimeoutError(caseId, ms)), ms);
    timer.unref();
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

function structuredCloneOrSelf<T>(value: T): T {
  try {
    return structuredClone(value);
  } catch {
    return value;
  }
}

function rootAttributes(experiment: string, dataset: Dataset, evalCase: EvalCase, trial: number, variant: Record<string, string>): Record<string, string | number> {
  const attributes: Record<string, string | number> = {
    [RUNLENS.evalExperiment]: experiment,
    [RUNLENS.evalDataset]: dataset.name,
    [RUNLENS.evalCase]: evalCase.id,
    [RUNLENS.evalSuite]: evalCase.suite,
    [RUNLENS.evalTrial]: trial,
  };
  // prompt and policy go through the SDK's versions; model has no version attribute of its own.
  if (variant.model !== undefined) attributes['runlens.version.model'] = variant.model;
  for (const [key, value] of Object.entries(variant)) {
    if (!(VERSION_KEYS as readonly string[]).includes(key)) attributes[`runlens.eval.variant.${key}`] = value;
  }
  return attributes;
}

/** A stored trace, polled briefly: the export is acknowledged after commit, but a retry may lag. */
async function fetchTrace(collector: CollectorClient, traceId: string): Promise<TraceDetail | null> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const trace = await collector.getTrace(traceId);
    if (trace && trace.run.outcome !== 'running') return trace;
    await new Promise((resolve) => setTimeout(resolve, 100 + attempt * 50));
  }
  return collector.getTrace(traceId);
}

export async function runExperiment(options: RunExperimentOptions): Promise<ExperimentOutcome> {
  const startedAt = Date.now();
  const { name, variant, collector } = options;
  const client = new RunlensClient({
    service: options.service ?? 'runlens-eval',
    endpoint: collector.url,
    headers: collector.ingestHeaders,
    versions: {
      ...(variant.prompt !== undefined && { prompt: variant.prompt }),
      ...(variant.policy !== undefined && { policy: variant.policy }),
      ...(variant.app !== undefined && { app: variant.app }),
    },
    flushOnExit: false,
    scheduledDelayMillis: 200,
    maxQueueSize: 100_000,
    // An evaluation runs the agent offline: the production kill switch does not apply to it.
    autonomy: false,
  });

  // 1. run
  const planned = options.datasets.flatMap((dataset) =>
    dataset.cases.flatMap((evalCase) =>
      Array.from({ length: evalCase.trials ?? options.trials ?? 1 }, (_, index) => ({ dataset, evalCase, trial: index + 1 })),
    ),
  );
  let pending: PendingTrial[];
  try {
    pending = await mapConcurrently(planned, options.concurrency ?? 4, async ({ dataset, evalCase, trial }) => {
      const env = structuredClone(evalCase.env ?? {});
      const toolCalls: ObservedToolCall[] = [];
      const result: PendingTrial = { dataset, evalCase, trial, traceId: null, output: undefined, error: null, env, toolCalls };
      try {
        await client.run(
          `eval ${evalCase.id}`,
          { input: evalCase.input, attributes: rootAttributes(name, dataset, evalCase, trial, variant) },
          async (run) => {
            result.traceId = run.traceId;
            const ctx: EvalAgentContext = { run: observingRun(run, toolCalls), env, caseId: evalCase.id, trial, variant: { ...variant } };
            result.output = await withTimeout(Promise.resolve(options.agent(structuredCloneOrSelf(evalCase.input), ctx)), options.timeoutMs ?? 120_000, evalCase.id);
            return result.output;
          },
        );
      } catch (error) {
        // The run recorded the failure on its trace; the checks judge what happened.
        result.error = error;
      }
      return result;
    });
    // 2. flush
    await client.forceFlush();
  } finally {
    await client.shutdown();
  }

  // 3. judge
  let missingTraces = 0;
  const judged: JudgedSpan[] = [];
  const trialsByCase = new Map<string, { dataset: Dataset; evalCase: EvalCase; trials: TrialResult[] }>();
  const verdicts = await mapConcurrently(pending, options.concurrency ?? 4, async (item) => {
    const trace = item.traceId ? await fetchTrace(collector, item.traceId) : null;
    if (!trace) {
      missingTraces++;
      return {
        trial: item.trial,
        traceId: item.traceId,
        checks: item.evalCase.checks.map((check) => ({
          name: check.name ?? check.type,
          type: check.type,
          severity: check.severity,
          passed: false,
          score: 0,
          label: 'error' as const,
          explanation: `the run's trace ${item.traceId ?? '(none)'} did not reach the collector at ${collector.url}`,
          spanId: null,
        })),
        passed: false,
      };
    }
    return judgeTrial(item.dataset, item.evalCase, {
      trial: item.trial,
      trace,
      ...(item.output !== undefined ? { output: item.output } : {}),
      after: item.env,
      observed: { ...(item.output !== undefined ? { output: item.output } : {}), toolCalls: item.toolCalls },
      ...(options.policy ? { policy: options.policy } : {}),
    });
  });
  verdicts.forEach((verdict, index) => {
    const item = pending[index]!;
    const key = `${item.dataset.name}/${item.evalCase.id}`;
    const entry = trialsByCase.get(key) ?? { dataset: item.dataset, evalCase: item.evalCase, trials: [] };
    const { passed: _passed, ...trial } = verdict;
    entry.trials.push(trial);
    trialsByCase.set(key, entry);
    for (const check of trial.checks) {
      if (trial.traceId && check.spanId) judged.push({ traceId: trial.traceId, spanId: check.spanId, result: check });
    }
  });
  await collector.recordResults(judged, options.service ?? 'runlens-eval');

  const cases = [...trialsByCase.values()].map(({ dataset, evalCase, trials }) => toCaseResult(dataset, evalCase, trials));
  const baseline = options.baseline ? toExperimentResults(options.baseline) : null;
  const report = evaluateGate({ name, cases }, baseline, options.gate);
  const record: ExperimentRecord = {
    name,
    variant,
    datasets: options.datasets.map((dataset) => dataset.name),
    baseline: options.baseline ? { id: options.baseline.id, name: options.baseline.name } : null,
    startedAt,
    finishedAt: Date.now(),
    report,
  };
  const { id } = await collector.saveExperiment(record);
  const agentErrors = pending
    .filter((item) => item.error !== null)
    .map((item) => `${item.dataset.name}/${item.evalCase.id} #${item.trial}: ${item.error instanceof Error ? `${item.error.name}: ${item.error.message}` : String(item.error)}`);
  return { report, id, missingTraces, agentErrors };
}
