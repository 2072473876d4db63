// Runs a case's checks over one trace. A check that throws is a result labelled `error` with
// its message (the case then fails: an unjudged check is not a passed one).

import type { Check, CheckContext, CheckResult } from '../types.ts';
import { checkBudget } from './budget.ts';
import { checkDomain } from './domain.ts';
import { checkJsonSchema } from './json-schema.ts';
import { preview } from './match.ts';
import { checkNoLeak } from './no-leak.ts';
import type { CheckOutcome } from './outcome.ts';
import { checkPolicy } from './policy.ts';
import { checkRefusal } from './refusal.ts';
import { checkState } from './state.ts';
import { checkContains, checkEquals, checkRegex } from './text.ts';
import { checkNoToolCall, checkToolCalled, checkToolSequence } from './tools.ts';
import { rootSpan } from './trace-view.ts';

function evaluate(check: Check, context: CheckContext): CheckOutcome | Promise<CheckOutcome> {
  switch (check.type) {
    case 'json_schema':
      return checkJsonSchema(check, context);
    case 'equals':
      return checkEquals(check, context);
    case 'contains':
      return checkContains(check, context);
    case 'regex':
      return checkRegex(check, context);
    case 'tool_called':
      return checkToolCalled(check, context);
    case 'no_tool_call':
      return checkNoToolCall(check, context);
    case 'tool_sequence':
      return checkToolSequence(check, context);
    case 'state':
      return checkState(check, context);
    case 'no_leak':
      return checkNoLeak(check, context);
    case 'domain':
      return checkDomain(check, context);
    case 'refusal':
      return checkRefusal(check, context);
    case 'budget':
      return checkBudget(check, context);
    case 'policy':
      return checkPolicy(check, context);
  }
}

/** A readable name for a check without one: its type and what it looks at. */
export function defaultCheckName(check: Check): string {
  switch (check.type) {
    case 'json_schema':
      return `json_schema ${check.target}`;
    case 'equals':
    case 'contains':
    case 'regex':
      return `${check.negate ? 'not ' : ''}${check.type} ${preview(check.value, 60)}`;
    case 'tool_called':
    case 'no_tool_call':
      return `${check.type} ${check.tool}`;
    case 'tool_sequence':
      return `tool_sequence ${check.tools.join(' → ')}`;
    case 'state':
      return `state${check.strict ? ' (strict)' : ''} ${Object.keys(check.expect).join(', ')}`;
    case 'no_leak':
      return `no_leak ${check.kinds.join(', ')}`;
    case 'domain':
      return `domain ${check.export}`;
    case 'refusal':
      return check.expected ? 'refusal expected' : 'no refusal expected';
    case 'budget':
      return 'budget';
    case 'policy':
      return 'policy';
  }
}

export async function runCheck(check: Check, context: CheckContext): Promise<CheckResult> {
  const base = {
    name: check.name ?? defaultCheckName(check),
    type: check.type,
    severity: check.severity,
  };
  const rootId = rootSpan(context.trace)?.spanId ?? null;
  try {
    const outcome = await evaluate(check, context);
    return {
      ...base,
      passed: outcome.passed,
      score: outcome.score ?? (outcome.passed ? 1 : 0),
      label: outcome.passed ? 'pass' : 'fail',
      explanation: outcome.explanation,
      spanId: outcome.spanId ?? rootId,
    };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ...base, passed: false, score: 0, label: 'error', explanation: `check could not run: ${message}`, spanId: rootId };
  }
}

/** Every check, in order; they run one after another so domain modules see a stable state. */
export async function runChecks(checks: readonly Check[], context: CheckContext): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  for (const check of checks) results.push(await runCheck(check, context));
  return results;
}

/** A case passes when every one of its checks passes. */
export function allPassed(results: readonly CheckResult[]): boolean {
  return results.every((result) => result.passed);
}
