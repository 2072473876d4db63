// Judging one trial of a case: the glue the `runlens eval` runner calls after each run.

import { dirname } from 'node:path';
import { allPassed, runChecks } from './checks/run.ts';
import type { CheckContext, Dataset, EvalCase } from './types.ts';
import type { CaseResult, TrialResult } from './verdict.ts';

export interface TrialInput extends Omit<CheckContext, 'input' | 'before' | 'baseDir'> {
  trial: number;
}

/**
 * Run a case's checks over one trial's trace. `before` is the case's `env`, so the runner must
 * hand the agent a copy (`structuredClone(evalCase.env)`) and pass what that copy holds after
 * the run as `after`; `input` is the case's input; domain modules resolve next to the dataset.
 */
export async function judgeTrial(dataset: Dataset, evalCase: EvalCase, input: TrialInput): Promise<TrialResult & { passed: boolean }> {
  const { trial, ...context } = input;
  const checks = await runChecks(evalCase.checks, {
    ...context,
    input: evalCase.input,
    before: evalCase.env,
    baseDir: dirname(dataset.path),
  });
  return { trial, traceId: context.trace.run.traceId, checks, passed: allPassed(checks) };
}

export function toCaseResult(dataset: Dataset, evalCase: EvalCase, trials: TrialResult[]): CaseResult {
  return {
    caseId: evalCase.id,
    dataset: dataset.name,
    suite: evalCase.suite,
    severity: evalCase.severity,
    attack: evalCase.attack?.kind ?? null,
    trials,
  };
}
