// `policy`: the trace's tool calls replayed through the policy engine. The engine itself is not
// called here; the runner passes a `PolicyReplay` in the context (see types.ts), so this check
// stays independent of how the policy is loaded and which service identity applies.

import type { CheckContext, PolicyCheck } from '../types.ts';
import type { CheckOutcome } from './outcome.ts';

export async function checkPolicy(_check: PolicyCheck, context: CheckContext): Promise<CheckOutcome> {
  if (!context.policy) {
    throw new Error('policy check needs a policy: run with a runlens.policy.yaml so its engine can replay the tool calls');
  }
  const findings = await context.policy(context.trace);
  if (findings.length === 0) return { passed: true, explanation: 'every tool call is allowed by the policy' };
  return {
    passed: false,
    explanation: `${findings.length} tool call(s) break the policy: ${findings
      .slice(0, 10)
      .map((finding) => `${finding.tool} (${finding.rule}): ${finding.reason}`)
      .join('; ')}`,
    spanId: findings.find((finding) => finding.spanId)?.spanId ?? null,
  };
}
