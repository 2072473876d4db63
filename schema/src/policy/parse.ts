// Turns policy text (YAML, or the same document as JSON) into a validated Policy, with every error
// naming its line and field: `runlens.policy.yaml:14: identities.x.approval[0].approvers: …`.
// No file access here: callers read the file and pass its text and name.
import { LineCounter, isMap, isPair, isScalar, isSeq, parseDocument } from 'yaml';
import type { Document, Node } from 'yaml';
import { compilePolicy } from './compile.ts';
import { formatFieldPath } from './field-path.ts';
import type { FieldPath, Issue } from './field-path.ts';
import type { PolicyError, PolicyResult } from './types.ts';
import { readPolicy } from './validate.ts';

function formatError(source: string | undefined, line: number | null, path: string, message: string): PolicyError {
  const where = line === null ? (source ?? '') : source === undefined ? `line ${line}` : `${source}:${line}`;
  const prefix = [where, path].filter((part) => part !== '').map((part) => `${part}: `).join('');
  return { line, path, message: `${prefix}${message}` };
}

/** The node a field path leads to, or the deepest one on the way when the field is absent. */
function nodeAt(doc: Document, at: FieldPath): Node | null {
  let node: unknown = doc.contents;
  for (const segment of at) {
    if (isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && String(item.key.value) === String(segment));
      if (!pair) break;
      // A key with no value (`refund:`) has no value node; point at the key.
      node = pair.value ?? pair.key;
    } else if (isSeq(node) && typeof segment === 'number' && node.items[segment] !== undefined) {
      node = node.items[segment];
    } else {
      break;
    }
  }
  return node !== null && typeof node === 'object' && 'range' in node ? (node as Node) : null;
}

function lineOf(doc: Document, lines: LineCounter, at: FieldPath): number | null {
  const offset = nodeAt(doc, at)?.range?.[0];
  return offset === undefined ? null : lines.linePos(offset).line;
}

// A loaded policy is frozen: its compiled matchers are cached by identity, so a later change to
// the object would not be seen by `decide`. Load a new policy instead.
function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** Validates an already-parsed document (from JSON, or an object built in code). */
export function loadPolicyObject(value: unknown, source?: string): PolicyResult {
  const read = readPolicy(value);
  if (read.policy === null) {
    return { ok: false, errors: read.issues.map((issue) => formatError(source, null, formatFieldPath(issue.at), issue.message)) };
  }
  compilePolicy(deepFreeze(read.policy));
  return { ok: true, policy: read.policy };
}

/**
 * Parses policy text. `source` names the file in messages (`runlens.policy.yaml`). Never throws
 * on bad input: errors are returned, each with its line (1-based) and field.
 */
export function parsePolicy(text: string, source?: string): PolicyResult {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    return {
      ok: false,
      errors: doc.errors.map((error) => formatError(source, lines.linePos(error.pos[0]).line, '', error.message.split('\n')[0] as string)),
    };
  }
  if (doc.contents === null) return { ok: false, errors: [formatError(source, null, '', 'the policy is empty')] };
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (error) {
    return { ok: false, errors: [formatError(source, null, '', (error as Error).message)] };
  }
  const read = readPolicy(value);
  if (read.policy === null) {
    const toError = (issue: Issue): PolicyError =>
      formatError(source, lineOf(doc, lines, issue.lineAt ?? issue.at), formatFieldPath(issue.at), issue.message);
    return { ok: false, errors: read.issues.map(toError) };
  }
  compilePolicy(deepFreeze(read.policy));
  return { ok: true, policy: read.policy };
}
