// Shared by the policy tests: the example policy of issue 10, as written there.
import { readFileSync } from 'node:fs';
import { parsePolicy } from './parse.ts';
import type { Policy } from './types.ts';

export const EXAMPLE_POLICY_TEXT = readFileSync(new URL('./fixtures/example.policy.yaml', import.meta.url), 'utf8');

/** Parses policy text that must be valid, failing the test with the errors otherwise. */
export function validPolicy(text: string): Policy {
  const result = parsePolicy(text, 'runlens.policy.yaml');
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('\n'));
  return result.policy;
}

export const examplePolicy = (): Policy => validPolicy(EXAMPLE_POLICY_TEXT);

/** The example policy with the support agent at another autonomy level. */
export const examplePolicyWithAutonomy = (autonomy: string): Policy =>
  validPolicy(EXAMPLE_POLICY_TEXT.replace('autonomy: write', `autonomy: ${autonomy}`));
