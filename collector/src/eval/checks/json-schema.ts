// `json_schema`: the output, or the arguments of every call of one tool, validate against a
// JSON Schema (ajv, draft 2019-09 and 07 keywords; unknown formats are ignored, not errors).

import { Ajv } from 'ajv';
import type { ValidateFunction } from 'ajv';
import type { CheckContext, JsonSchemaCheck } from '../types.ts';
import type { CheckOutcome } from './outcome.ts';
import { finalOutput, parseJsonText, toolCalls } from './trace-view.ts';
import { toolNameMatcher } from './match.ts';

const ajv = new Ajv({ allErrors: true, strict: false });
const compiled = new WeakMap<object, ValidateFunction>();

/** Compile once per schema object; throws with ajv's message when the schema is not valid. */
export function compileJsonSchema(schema: Record<string, unknown> | boolean): ValidateFunction {
  if (typeof schema === 'boolean') return ajv.compile(schema);
  let validate = compiled.get(schema);
  if (!validate) {
    validate = ajv.compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

export const TOOL_TARGET_PREFIX = 'tool:';

export function checkJsonSchema(check: JsonSchemaCheck, context: CheckContext): CheckOutcome {
  const validate = compileJsonSchema(check.schema);
  const problems = (value: unknown, name: string): string | null =>
    validate(value) ? null : ajv.errorsText(validate.errors, { dataVar: name, separator: '; ' });

  if (check.target === 'output') {
    const output = parseJsonText(finalOutput(context));
    const problem = problems(output, 'output');
    return problem === null ? { passed: true, explanation: 'output matches the schema' } : { passed: false, explanation: problem };
  }

  const tool = check.target.slice(TOOL_TARGET_PREFIX.length);
  const matches = toolNameMatcher(tool);
  const calls = toolCalls(context.trace).filter((call) => matches(call.name));
  // "Every call validates" holds trivially when there is none: the check is about argument
  // shape, whether the tool must be called is tool_called's job.
  if (calls.length === 0) return { passed: true, explanation: `${tool} was not called, so no arguments to validate` };
  const failures = calls
    .map((call, index) => ({ call, problem: problems(call.arguments, `${call.name}[${index}].arguments`) }))
    .filter((item) => item.problem !== null);
  if (failures.length === 0) return { passed: true, explanation: `all ${calls.length} call(s) of ${tool} match the schema` };
  return {
    passed: false,
    score: (calls.length - failures.length) / calls.length,
    explanation: `${failures.length} of ${calls.length} call(s) of ${tool} do not match the schema: ${failures.map((f) => f.problem).join('; ')}`,
    spanId: failures[0]!.call.spanId,
  };
}
