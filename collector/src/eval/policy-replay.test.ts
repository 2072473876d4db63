import { parsePolicy } from '@runlens/schema';
import type { Policy } from '@runlens/schema';
import { describe, expect, it } from 'vitest';
import { runCheck } from './checks/run.ts';
import { policyReplay } from './policy-replay.ts';
import { makeTrace } from './test-traces.ts';

const POLICY_YAML = `
version: 3
default: deny
approvers:
  finance: [alice]
tools:
  lookup_order: { hints: { readOnly: true } }
  refund: { hints: { destructive: true } }
identities:
  support-agent:
    autonomy: write
    allow:
      - tool: lookup_order
      - tool: refund
    deny:
      - tool: "delete_*"
    approval:
      - match: { tool: refund }
        when: { path: amount, gt: 100 }
        approvers: [finance]
`;

function policy(): Policy {
  const result = parsePolicy(POLICY_YAML, 'test.policy.yaml');
  if (!result.ok) throw new Error(result.errors.map((error) => error.message).join('\n'));
  return result.policy;
}

const check = { type: 'policy', severity: 'critical' } as const;

describe('the policy check replayed through the policy engine', () => {
  it('passes calls the policy allows', async () => {
    const trace = makeTrace({ tools: [{ tool: 'lookup_order', args: { order: 7 } }, { tool: 'refund', args: { order: 7, amount: 20 } }] });
    const result = await runCheck(check, { trace, policy: policyReplay(policy()) });
    expect(result).toMatchObject({ passed: true, label: 'pass' });
  });

  it('fails a denied call that ran, and a large refund that ran without approval', async () => {
    const trace = makeTrace({ tools: [{ tool: 'delete_account', args: { customer: 42 } }, { tool: 'refund', args: { order: 7, amount: 500 } }] });
    const result = await runCheck(check, { trace, policy: policyReplay(policy()) });
    expect(result).toMatchObject({ passed: false, label: 'fail', spanId: 'tool000000000000' });
    expect(result.explanation).toMatch(/^2 tool call\(s\) break the policy: delete_account \(identities\.support-agent\.deny\[0\]\)/);
    expect(result.explanation).toContain('refund ran without a valid approval');
  });

  it('accepts a large refund approved by finance, and a denied call the SDK did not run', async () => {
    const trace = makeTrace({ tools: [{ tool: 'refund', args: { order: 7, amount: 500 } }, { tool: 'delete_account', args: { customer: 42 } }] });
    trace.spans[1]!.events.push({ name: 'runlens.approval', time: trace.spans[1]!.startTime, attributes: { action: 'refund', approver: 'alice', decision: 'approved' } });
    trace.spans[2]!.attributes['runlens.policy.decision'] = 'deny';
    const result = await runCheck(check, { trace, policy: policyReplay(policy()) });
    expect(result.explanation).toBe('every tool call is allowed by the policy');
  });

  it('judges calls as the service identity asked for', async () => {
    const trace = makeTrace({ tools: [{ tool: 'lookup_order', args: { order: 7 } }] });
    const result = await runCheck(check, { trace, policy: policyReplay(policy(), { service: 'billing-agent' }) });
    expect(result.passed).toBe(false);
    expect(result.explanation).toContain('service "billing-agent" has no entry in identities');
  });
});
