// `equals`, `contains`, `regex` on the final output, each with `negate`.

import type { CheckContext, ContainsCheck, EqualsCheck, RegexCheck } from '../types.ts';
import { deepEqual, preview } from './match.ts';
import type { CheckOutcome } from './outcome.ts';
import { finalOutput, outputText, parseJsonText } from './trace-view.ts';

function negatable(held: boolean, negate: boolean, whatHeld: string, whatDidNot: string): CheckOutcome {
  const passed = negate ? !held : held;
  return { passed, explanation: held ? whatHeld : whatDidNot };
}

/** A string value compares with the output's text; any other value with its JSON structure. */
export function checkEquals(check: EqualsCheck, context: CheckContext): CheckOutcome {
  const output = finalOutput(context);
  const held =
    typeof check.value === 'string' ? outputText(output) === check.value : deepEqual(parseJsonText(output), check.value);
  return negatable(
    held,
    check.negate,
    `output equals ${preview(check.value)}`,
    `output ${preview(typeof check.value === 'string' ? outputText(output) : output)} does not equal ${preview(check.value)}`,
  );
}

export function checkContains(check: ContainsCheck, context: CheckContext): CheckOutcome {
  const text = outputText(finalOutput(context));
  return negatable(
    text.includes(check.value),
    check.negate,
    `output contains ${preview(check.value)}`,
    `output does not contain ${preview(check.value)}; it was ${preview(text)}`,
  );
}

export function checkRegex(check: RegexCheck, context: CheckContext): CheckOutcome {
  const text = outputText(finalOutput(context));
  // Without the g flag, test() keeps no state between cases.
  const pattern = new RegExp(check.value, check.flags.replace(/[gy]/g, ''));
  const match = pattern.exec(text);
  return negatable(
    match !== null,
    check.negate,
    `output matches /${check.value}/${check.flags} at ${preview(match?.[0] ?? '')}`,
    `output does not match /${check.value}/${check.flags}; it was ${preview(text)}`,
  );
}
