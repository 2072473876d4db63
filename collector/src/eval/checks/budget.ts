// `budget`: the run stayed within token, tool-call and duration limits, read from the trace.

import type { BudgetCheck, CheckContext } from '../types.ts';
import type { CheckOutcome } from './outcome.ts';
import { toolCalls, totalTokens } from './trace-view.ts';

export function checkBudget(check: BudgetCheck, context: CheckContext): CheckOutcome {
  const { trace } = context;
  const measured: Array<[string, number, number | undefined]> = [
    ['tokens', totalTokens(trace), check.maxTokens],
    ['tool calls', Math.max(trace.run.toolCalls, toolCalls(trace).length), check.maxToolCalls],
    ['duration ms', trace.run.durationMs, check.maxDurationMs],
  ];
  const limited = measured.filter(([, , limit]) => limit !== undefined);
  const over = limited.filter(([, value, limit]) => value > limit!);
  const describe = ([name, value, limit]: [string, number, number | undefined]): string => `${name} ${value} of ${limit}`;
  if (over.length === 0) return { passed: true, explanation: `within budget: ${limited.map(describe).join(', ')}` };
  return {
    passed: false,
    score: (limited.length - over.length) / limited.length,
    explanation: `over budget: ${over.map(describe).join(', ')}`,
  };
}
