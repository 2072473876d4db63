// `domain`: a predicate from the user's own module, e.g. "the refund is within the order total".
// The module path is relative to the dataset file; it is imported once and cached.

import { isAbsolute, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { CheckContext, DomainCheck } from '../types.ts';
import { isPlainObject, preview } from './match.ts';
import type { CheckOutcome } from './outcome.ts';
import { finalOutput } from './trace-view.ts';

export interface DomainArguments {
  input: unknown;
  output: unknown;
  before: unknown;
  after: unknown;
  trace: CheckContext['trace'];
}

export type DomainVerdict = boolean | { passed: boolean; score?: number; explanation?: string };
export type DomainPredicate = (args: DomainArguments) => DomainVerdict | Promise<DomainVerdict>;

const modules = new Map<string, Promise<Record<string, unknown>>>();

export async function loadDomainPredicate(check: DomainCheck, baseDir: string): Promise<DomainPredicate> {
  const path = isAbsolute(check.module) ? check.module : resolve(baseDir, check.module);
  let loading = modules.get(path);
  if (!loading) {
    loading = import(pathToFileURL(path).href) as Promise<Record<string, unknown>>;
    modules.set(path, loading);
  }
  let module: Record<string, unknown>;
  try {
    module = await loading;
  } catch (error) {
    modules.delete(path);
    throw new Error(`cannot load domain module ${path}: ${(error as Error).message}`);
  }
  const predicate = module[check.export];
  if (typeof predicate !== 'function') {
    const exported = Object.keys(module).join(', ') || 'nothing';
    throw new Error(`domain module ${path} has no function export "${check.export}" (it exports ${exported})`);
  }
  return predicate as DomainPredicate;
}

export async function checkDomain(check: DomainCheck, context: CheckContext): Promise<CheckOutcome> {
  const predicate = await loadDomainPredicate(check, context.baseDir ?? process.cwd());
  const answer: unknown = await predicate({
    input: context.input,
    output: finalOutput(context),
    before: context.before,
    after: context.after,
    trace: context.trace,
  });
  const label = `${check.export}(${check.module})`;
  if (typeof answer === 'boolean') return { passed: answer, explanation: `${label} returned ${answer}` };
  if (isPlainObject(answer) && typeof answer.passed === 'boolean') {
    const score = answer.score;
    if (score !== undefined && (typeof score !== 'number' || !(score >= 0 && score <= 1))) {
      throw new Error(`${label} returned score ${preview(score)}; a score must be a number from 0 to 1`);
    }
    return {
      passed: answer.passed,
      ...(typeof score === 'number' ? { score } : {}),
      explanation: typeof answer.explanation === 'string' ? answer.explanation : `${label} returned passed: ${answer.passed}`,
    };
  }
  throw new Error(`${label} must return a boolean or { passed, score, explanation }, got ${preview(answer)}`);
}
