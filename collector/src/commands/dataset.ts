// `runlens dataset add --from-trace TRACE_ID --to FILE`: a stored run becomes a case of a dataset
// (its input, tool calls and output as the expected values, source.traceId), appended as one
// JSONL line. The line is built by the collector (GET /api/runs/:traceId/dataset-line), the same
// one the viewer's run page offers to copy.
import { existsSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { UsageError, stringFlags, type Command } from './command.ts';
import { DB_OPTIONS, REMOTE_OPTIONS } from './config-options.ts';
import { connect } from './eval.ts';

/** Ids already used in the file, read leniently: a line that is not JSON is not ours to judge here. */
async function usedIds(path: string): Promise<Set<string>> {
  const ids = new Set<string>();
  if (!existsSync(path)) return ids;
  for (const line of (await readFile(path, 'utf8')).split(/\r?\n/)) {
    try {
      const value = JSON.parse(line) as { id?: unknown };
      if (typeof value?.id === 'string') ids.add(value.id);
    } catch {
      // blank or comment line
    }
  }
  return ids;
}

export const datasetCommand: Command = {
  name: 'dataset',
  summary: 'add a stored run to a dataset as a case (dataset add --from-trace ID --to FILE)',
  description:
    'runlens dataset add --from-trace TRACE_ID --to FILE appends one JSONL case built from a stored run: its input, the tool\n' +
    'calls it made and its output as the expected values, and source.traceId. Edit the checks to what must hold.',
  arguments: 'add',
  options: {
    'from-trace': { type: 'string', value: 'TRACE_ID', description: 'the run to copy' },
    to: { type: 'string', value: 'FILE', description: 'the dataset file to append to (created if missing)' },
    id: { type: 'string', value: 'ID', description: 'the case id (default trace-<first 12 hex of the trace id>)' },
    ...REMOTE_OPTIONS,
    ...DB_OPTIONS,
  },
  async run(values, positionals) {
    if (positionals[0] !== 'add' || positionals.length > 1) throw new UsageError('expected `runlens dataset add --from-trace TRACE_ID --to FILE`. See: runlens dataset --help');
    const flags = stringFlags(values);
    const traceId = flags['from-trace']?.trim().toLowerCase();
    if (!traceId || !/^[0-9a-f]{32}$/.test(traceId)) throw new UsageError('--from-trace: expected a trace id of 32 hex characters');
    if (!flags.to) throw new UsageError('--to FILE is required: the dataset to append to');
    const path = resolve(flags.to);
    const connection = await connect(values, 'dataset add');
    let answer: { line: string; case: Record<string, unknown> } | null;
    try {
      answer = await connection.client.datasetLine(traceId);
    } finally {
      await connection.close();
    }
    if (!answer) throw new Error(`no run with trace id ${traceId} at ${connection.client.url}`);
    const ids = await usedIds(path);
    const base = flags.id ?? String(answer.case.id);
    let id = base;
    for (let n = 2; ids.has(id); n++) id = `${base}-${n}`;
    const line = JSON.stringify({ ...answer.case, id });
    // Start on a line of our own even when the file does not end with a newline.
    const existing = existsSync(path) ? await readFile(path, 'utf8') : '';
    await appendFile(path, `${existing !== '' && !existing.endsWith('\n') ? '\n' : ''}${line}\n`);
    console.log(`added case ${id} from trace ${traceId} to ${path}`);
    return 0;
  },
};
