// JSONL datasets (issue 9, "Datasets"): one case per line, validated whole before anything runs.
// Every problem is reported with its line and field (`golden.jsonl:7: checks[1].type: …`), and a
// file with any problem yields no dataset at all.
//
// Blank lines and lines starting with `#` or `//` are skipped, so a file can say where its cases
// came from and under which licence.

import { readFile as readFileFromDisk } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { isPlainObject, preview } from './checks/match.ts';
import { parseChecks, parseSeverity, quoteList, validateStateExpectation } from './checks/parse.ts';
import type { FieldIssue } from './checks/parse.ts';
import { ATTACK_KINDS, SUITES } from './types.ts';
import type { Attack, AttackKind, Dataset, EvalCase, ExpectedOutcome, ExpectedToolCall, Severity, Suite } from './types.ts';

/** Reads a file as UTF-8 text; tests and the CLI pass their own. */
export type FileReader = (path: string) => Promise<string>;

export interface DatasetError {
  file: string;
  /** 1-based; null for a problem with the whole file. */
  line: number | null;
  field: string;
  /** The whole line to print: `golden.jsonl:7: checks[1].type: unknown check type …`. */
  message: string;
}

export type DatasetResult = { ok: true; dataset: Dataset } | { ok: false; errors: DatasetError[] };

const CASE_FIELDS = ['id', 'suite', 'severity', 'input', 'env', 'expected', 'checks', 'trials', 'tags', 'source', 'attack'];
const EXPECTED_FIELDS = ['output', 'toolCalls', 'state'];
const ATTACK_FIELDS = ['kind', 'goal', 'payload'];
const MAX_TRIALS = 1000;

function datasetError(file: string, line: number | null, field: string, problem: string): DatasetError {
  const where = line === null ? file : `${file}:${line}`;
  return { file, line, field, message: field === '' ? `${where}: ${problem}` : `${where}: ${field}: ${problem}` };
}

/** Load and validate a dataset file. `readFile` defaults to the disk. */
export async function loadDataset(path: string, options: { readFile?: FileReader } = {}): Promise<DatasetResult> {
  const readFile = options.readFile ?? ((file: string) => readFileFromDisk(file, 'utf8'));
  let text: string;
  try {
    text = await readFile(path);
  } catch (error) {
    return { ok: false, errors: [datasetError(path, null, '', `cannot read the dataset: ${(error as Error).message}`)] };
  }
  return parseDataset(text, { path, readFile });
}

/** Validate dataset text; `path` names the file in messages and anchors relative `env` paths. */
export async function parseDataset(text: string, options: { path: string; readFile: FileReader }): Promise<DatasetResult> {
  const { path, readFile } = options;
  const errors: DatasetError[] = [];
  const cases: EvalCase[] = [];
  const firstLineOfId = new Map<string, number>();
  const envFiles = new Map<string, Promise<{ env: Record<string, unknown> } | { problem: string }>>();
  const readEnvFile = (relative: string): Promise<{ env: Record<string, unknown> } | { problem: string }> => {
    const full = resolve(dirname(path), relative);
    let pending = envFiles.get(full);
    if (!pending) {
      pending = readJsonObject(full, relative, readFile);
      envFiles.set(full, pending);
    }
    return pending;
  };

  // A byte-order mark some editors write is not part of the first line's JSON.
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    const trimmed = lines[index]!.trim();
    if (trimmed === '' || trimmed.startsWith('#') || trimmed.startsWith('//')) continue;
    let raw: unknown;
    try {
      raw = JSON.parse(trimmed);
    } catch (error) {
      errors.push(datasetError(path, lineNumber, '', `not valid JSON: ${(error as Error).message}`));
      continue;
    }
    const issues: FieldIssue[] = [];
    const parsed = parseCase(raw, lineNumber, issues);
    // The env file and the id are checked even when the line has other problems: all at once.
    if (typeof parsed.rawEnv === 'string' && parsed.rawEnv !== '') {
      const loaded = await readEnvFile(parsed.rawEnv);
      if ('problem' in loaded) issues.push({ field: 'env', message: loaded.problem });
      // Each case gets its own copy: cases sharing a file must not share one mutable state.
      else if (parsed.evalCase) parsed.evalCase.env = structuredClone(loaded.env);
    }
    if (parsed.id !== null) {
      const earlier = firstLineOfId.get(parsed.id);
      if (earlier !== undefined) issues.push({ field: 'id', message: `${preview(parsed.id, 60)} is already used on line ${earlier}` });
      else firstLineOfId.set(parsed.id, lineNumber);
    }
    for (const issue of issues) errors.push(datasetError(path, lineNumber, issue.field, issue.message));
    if (parsed.evalCase && issues.length === 0) cases.push(parsed.evalCase);
  }
  if (errors.length === 0 && cases.length === 0) errors.push(datasetError(path, null, '', 'the dataset has no cases'));
  if (errors.length > 0) return { ok: false, errors };
  return { ok: true, dataset: { name: basename(path).replace(/\.jsonl$/i, ''), path, cases } };
}

async function readJsonObject(
  full: string,
  relative: string,
  readFile: FileReader,
): Promise<{ env: Record<string, unknown> } | { problem: string }> {
  let text: string;
  try {
    text = await readFile(full);
  } catch (error) {
    return { problem: `cannot read ${relative} (resolved to ${full}): ${(error as Error).message}` };
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: `${relative} is not valid JSON: ${(error as Error).message}` };
  }
  return isPlainObject(value) ? { env: value } : { problem: `${relative} must hold a JSON object, got ${preview(value, 60)}` };
}

interface ParsedLine {
  /** Null when the line has problems (they are in `issues`). */
  evalCase: EvalCase | null;
  /** `env` as written: a path still to read, or the object itself. */
  rawEnv: unknown;
  /** The id when it is a usable string, for the uniqueness check. */
  id: string | null;
}

function parseCase(raw: unknown, line: number, issues: FieldIssue[]): ParsedLine {
  if (!isPlainObject(raw)) {
    issues.push({ field: '', message: `a case must be a JSON object, got ${preview(raw, 60)}` });
    return { evalCase: null, rawEnv: undefined, id: null };
  }
  for (const key of Object.keys(raw)) {
    if (!CASE_FIELDS.includes(key)) issues.push({ field: key, message: `unknown field (known: ${quoteList(CASE_FIELDS)})` });
  }

  const id = raw.id;
  if (typeof id !== 'string' || id.trim() === '') issues.push({ field: 'id', message: `must be a non-empty string, got ${preview(id, 60)}` });

  const suite = raw.suite;
  if (typeof suite !== 'string' || !(SUITES as readonly string[]).includes(suite)) {
    issues.push({ field: 'suite', message: `must be one of ${quoteList(SUITES)}, got ${preview(suite, 60)}` });
  }

  const severity: Severity | undefined = parseSeverity(raw.severity, 'severity', issues);

  if (raw.input === undefined) issues.push({ field: 'input', message: 'is required: what the agent is given' });

  const env = raw.env;
  if (env !== undefined && !isPlainObject(env) && (typeof env !== 'string' || env === '')) {
    issues.push({ field: 'env', message: `must be an object or the path of a JSON file, got ${preview(env, 60)}` });
  }

  const expected = parseExpected(raw.expected, issues);

  let trials: number | undefined;
  if (raw.trials !== undefined) {
    if (typeof raw.trials !== 'number' || !Number.isInteger(raw.trials) || raw.trials < 1 || raw.trials > MAX_TRIALS) {
      issues.push({ field: 'trials', message: `must be a whole number from 1 to ${MAX_TRIALS}, got ${preview(raw.trials, 60)}` });
    } else trials = raw.trials;
  }

  let tags: string[] = [];
  if (raw.tags !== undefined) {
    if (!Array.isArray(raw.tags) || !raw.tags.every((tag) => typeof tag === 'string')) {
      issues.push({ field: 'tags', message: `must be an array of strings, got ${preview(raw.tags, 60)}` });
    } else tags = raw.tags as string[];
  }

  let source: EvalCase['source'];
  if (raw.source !== undefined) {
    if (!isPlainObject(raw.source)) issues.push({ field: 'source', message: `must be an object like { "traceId": "…" }, got ${preview(raw.source, 60)}` });
    else if (raw.source.traceId !== undefined && typeof raw.source.traceId !== 'string') {
      issues.push({ field: 'source.traceId', message: `must be a string, got ${preview(raw.source.traceId, 60)}` });
    } else source = raw.source;
  }

  const attack = parseAttack(raw.attack, suite, issues);

  const checks = parseChecks(raw.checks, 'checks', { severity: severity ?? 'major', ...(expected ? { expected } : {}) }, issues);

  const usableId = typeof id === 'string' && id.trim() !== '' ? id : null;
  if (issues.length > 0) return { evalCase: null, rawEnv: env, id: usableId };
  const evalCase: EvalCase = {
    id: id as string,
    suite: suite as Suite,
    severity: severity!,
    input: raw.input,
    ...(isPlainObject(env) ? { env } : {}),
    ...(expected ? { expected } : {}),
    checks,
    ...(trials !== undefined ? { trials } : {}),
    tags,
    ...(source ? { source } : {}),
    ...(attack ? { attack } : {}),
    line,
  };
  return { evalCase, rawEnv: env, id: usableId };
}

function parseExpected(raw: unknown, issues: FieldIssue[]): ExpectedOutcome | undefined {
  if (raw === undefined) return undefined;
  if (!isPlainObject(raw)) {
    issues.push({ field: 'expected', message: `must be an object with output, toolCalls or state, got ${preview(raw, 60)}` });
    return undefined;
  }
  for (const key of Object.keys(raw)) {
    if (!EXPECTED_FIELDS.includes(key)) issues.push({ field: `expected.${key}`, message: `unknown field (known: ${quoteList(EXPECTED_FIELDS)})` });
  }
  const expected: ExpectedOutcome = {};
  if (raw.output !== undefined) expected.output = raw.output;
  if (raw.toolCalls !== undefined) {
    if (!Array.isArray(raw.toolCalls)) {
      issues.push({ field: 'expected.toolCalls', message: `must be an array of { "name", "args" }, got ${preview(raw.toolCalls, 60)}` });
    } else {
      const calls: ExpectedToolCall[] = [];
      raw.toolCalls.forEach((call: unknown, index: number) => {
        const at = `expected.toolCalls[${index}]`;
        if (!isPlainObject(call) || typeof call.name !== 'string' || call.name === '') {
          issues.push({ field: at, message: `must be { "name": string, "args"?: object }, got ${preview(call, 60)}` });
        } else if (call.args !== undefined && !isPlainObject(call.args)) {
          issues.push({ field: `${at}.args`, message: `must be an object, got ${preview(call.args, 60)}` });
        } else {
          calls.push({ name: call.name, ...(call.args !== undefined ? { args: call.args as Record<string, unknown> } : {}) });
        }
      });
      expected.toolCalls = calls;
    }
  }
  if (raw.state !== undefined) {
    if (!isPlainObject(raw.state)) {
      issues.push({ field: 'expected.state', message: `must be an object of "dotted.path": value, got ${preview(raw.state, 60)}` });
    } else {
      validateStateExpectation(raw.state, 'expected.state', issues);
      expected.state = raw.state;
    }
  }
  return expected;
}

function parseAttack(raw: unknown, suite: unknown, issues: FieldIssue[]): Attack | undefined {
  if (raw === undefined) return undefined;
  if (suite !== 'adversarial') {
    issues.push({ field: 'attack', message: 'only adversarial cases carry an attack; set "suite": "adversarial" or remove it' });
    return undefined;
  }
  if (!isPlainObject(raw)) {
    issues.push({ field: 'attack', message: `must be an object with kind, goal and payload, got ${preview(raw, 60)}` });
    return undefined;
  }
  const before = issues.length;
  for (const key of Object.keys(raw)) {
    if (!ATTACK_FIELDS.includes(key)) issues.push({ field: `attack.${key}`, message: `unknown field (known: ${quoteList(ATTACK_FIELDS)})` });
  }
  if (typeof raw.kind !== 'string' || !(ATTACK_KINDS as readonly string[]).includes(raw.kind)) {
    issues.push({ field: 'attack.kind', message: `must be one of ${quoteList(ATTACK_KINDS)}, got ${preview(raw.kind, 60)}` });
  }
  if (typeof raw.goal !== 'string' || raw.goal.trim() === '') {
    issues.push({ field: 'attack.goal', message: 'is required: what the attacker wants the agent to do' });
  }
  if (raw.payload === undefined) issues.push({ field: 'attack.payload', message: 'is required: the attack text or the poisoned tool result' });
  if (issues.length > before) return undefined;
  return { kind: raw.kind as AttackKind, goal: raw.goal as string, payload: raw.payload };
}
