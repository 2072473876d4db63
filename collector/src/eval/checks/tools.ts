// `tool_called`, `no_tool_call`, `tool_sequence`: what the agent did, read from the tool spans.

import type { CheckContext, NoToolCallCheck, ToolCalledCheck, ToolSequenceCheck } from '../types.ts';
import { matchesSubset, preview, toolNameMatcher } from './match.ts';
import type { CheckOutcome } from './outcome.ts';
import { toolCalls } from './trace-view.ts';
import type { TraceToolCall } from './trace-view.ts';

function callList(calls: TraceToolCall[]): string {
  return calls.length === 0 ? 'no tool calls' : calls.map((call) => call.name).join(', ');
}

/** Passes when some call of the tool has arguments containing `args` (a subset match). */
export function checkToolCalled(check: ToolCalledCheck, context: CheckContext): CheckOutcome {
  const calls = toolCalls(context.trace);
  const matches = toolNameMatcher(check.tool);
  const named = calls.filter((call) => matches(call.name));
  const withArgs = check.args === undefined ? named : named.filter((call) => matchesSubset(call.arguments, check.args));
  const first = withArgs[0];
  if (first) {
    return { passed: true, explanation: `${first.name} was called with ${preview(first.arguments)}`, spanId: first.spanId };
  }
  if (named.length === 0) return { passed: false, explanation: `${check.tool} was never called (calls: ${callList(calls)})` };
  return {
    passed: false,
    explanation: `${check.tool} was called ${named.length} time(s) but never with arguments containing ${preview(check.args)}; got ${named.map((call) => preview(call.arguments, 120)).join(', ')}`,
    spanId: named[0]!.spanId,
  };
}

/** Fails on any call of a matching tool (with `args`, only calls whose arguments contain them). */
export function checkNoToolCall(check: NoToolCallCheck, context: CheckContext): CheckOutcome {
  const matches = toolNameMatcher(check.tool);
  const offending = toolCalls(context.trace).filter(
    (call) => matches(call.name) && (check.args === undefined || matchesSubset(call.arguments, check.args)),
  );
  const scope = check.args === undefined ? check.tool : `${check.tool} with arguments containing ${preview(check.args)}`;
  if (offending.length === 0) return { passed: true, explanation: `no call of ${scope}` };
  return {
    passed: false,
    explanation: `${offending.length} forbidden call(s) of ${scope}: ${offending.map((call) => `${call.name}(${preview(call.arguments, 120)})`).join(', ')}`,
    spanId: offending[0]!.spanId,
  };
}

/** The tools were called in this order, other calls allowed in between (a subsequence). */
export function checkToolSequence(check: ToolSequenceCheck, context: CheckContext): CheckOutcome {
  const calls = toolCalls(context.trace);
  const matchers = check.tools.map(toolNameMatcher);
  let next = 0;
  for (const call of calls) {
    const wanted = matchers[next];
    if (wanted !== undefined && wanted(call.name)) next++;
  }
  const expected = check.tools.join(' → ');
  if (next === check.tools.length) return { passed: true, explanation: `called ${expected} in order` };
  const found = next === 0 ? 'none of it' : `matched ${check.tools.slice(0, next).join(' → ')}`;
  return {
    passed: false,
    score: next / check.tools.length,
    explanation: `expected ${expected} in order, ${found}, then no ${check.tools[next]} (calls: ${callList(calls)})`,
  };
}
