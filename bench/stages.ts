// Where one span's CPU goes, stage by stage, on the ingest workload (a diagnostic, not part of
// `npm run bench`): decoding (JSON and protobuf), redaction + normalisation, the writer form,
// the copy to the writer thread (v8 serialize + deserialize, what postMessage does), the store's
// SpanWriter, and the ceiling replay of the same rows. CPU time (user + system) of this process,
// so other work on the machine moves the figures much less than wall-clock time; each stage is
// the minimum of several repetitions.
//   node --import tsx bench/stages.ts [--runs 600] [--reps 5] [--only decode,normalise,writer]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { deserialize, serialize } from 'node:v8';
import type { NormalisedSpan, OtlpSpan, OtlpSpanContext } from '@runlens/schema';
import { compileRedactionRules, normaliseSpan } from '@runlens/schema';
import { guardNormalise } from '../collector/src/auth/ingest-guard.ts';
import { decodeTraceRequest } from '../collector/src/ingest/decode-traces.ts';
import { JSON_WIRE, PROTOBUF_WIRE } from '../collector/src/ingest/wire.ts';
import { openWriterDatabase } from '../collector/src/store/migrate.ts';
import { toWriterSpan, type WriterSpan } from '../collector/src/store/span-rows.ts';
import { SpanWriter } from '../collector/src/store/writer.ts';
import { prepareCeiling, storeRows } from './lib/ceiling.ts';
import { BodyTemplate, makePool } from './lib/workload.ts';

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '600' },
    reps: { type: 'string', default: '5' },
    only: { type: 'string' },
  },
});
const runs = Number(args.runs);
const reps = Number(args.reps);
const only = args.only ? new Set(args.only.split(',')) : null;
const wanted = (name: string) => only === null || only.has(name);

const cpuMicros = () => {
  const { user, system } = process.cpuUsage();
  return user + system;
};

/**
 * Minimum CPU µs per span of `work` over the repetitions (a GC first, so each starts clean);
 * `prepare`, untimed, runs before each.
 */
function measure(name: string, spans: number, work: (rep: number) => void, prepare?: (rep: number) => void): number {
  const samples: number[] = [];
  for (let rep = 0; rep < reps; rep++) {
    prepare?.(rep);
    globalThis.gc?.();
    const before = cpuMicros();
    work(rep);
    samples.push((cpuMicros() - before) / spans);
  }
  const best = Math.min(...samples);
  console.log(`${name.padEnd(44)} ${best.toFixed(1).padStart(7)} µs/span   (reps: ${samples.map((s) => s.toFixed(1)).join(' ')})`);
  return best;
}

const pool = await makePool(runs);
const json = pool.requests.map((r) => new BodyTemplate(r, 'json'));
const protobuf = pool.requests.map((r) => new BodyTemplate(r, 'protobuf'));
const jsonBodies = json.map((t) => t.instance());
const protobufBodies = protobuf.map((t) => t.instance());
const spans = pool.spans.length;
console.log(`${runs} demo runs, ${spans} spans, ${pool.requests.length} requests; ${reps} repetitions, minimum shown`);

type Decoded = { span: OtlpSpan; context: OtlpSpanContext }[];
const flatten = (bodies: Buffer[], wire: typeof JSON_WIRE): Decoded => {
  const out: Decoded = [];
  for (const body of bodies) for (const b of decodeTraceRequest(body, wire).batches) for (const span of b.spans) out.push({ span, context: b.context });
  return out;
};

if (wanted('decode')) {
  measure('decode JSON', spans, () => flatten(jsonBodies, JSON_WIRE));
  measure('decode protobuf', spans, () => flatten(protobufBodies, PROTOBUF_WIRE));
}

const decoded = flatten(protobufBodies, PROTOBUF_WIRE);
const rules = compileRedactionRules(true);
const guarded = guardNormalise((span, context) => normaliseSpan(span, context), rules);
if (wanted('normalise')) {
  measure('normalise (no redaction)', spans, () => {
    for (const { span, context } of decoded) normaliseSpan(span, context);
  });
  measure('redact + normalise (the collector default)', spans, () => {
    for (const { span, context } of decoded) guarded(span, context);
  });
}

const normalised: NormalisedSpan[] = decoded.map(({ span, context }) => guarded(span, context));
let writerSpans: WriterSpan[] = normalised.map(toWriterSpan);
if (wanted('handoff')) {
  measure('writer form (toWriterSpan)', spans, () => {
    writerSpans = normalised.map(toWriterSpan);
  });
  measure('copy to the writer thread (v8 serialize + deserialize)', spans, () => {
    for (let i = 0; i < writerSpans.length; i += 512) deserialize(serialize(writerSpans.slice(i, i + 512)));
  });
}

if (wanted('writer')) {
  const dir = mkdtempSync(join(tmpdir(), 'runlens-stages-'));
  try {
    // Fresh runs for each repetition: new trace ids, new texts, as the ingest bench sends; each
    // batch as the writer thread receives it (copied by postMessage, so its strings are flat and
    // the spans of a batch share their resource objects), outside the measurement.
    const batches = Array.from({ length: reps }, () => {
      const fresh = json.map((t) => t.instance());
      const all = flatten(fresh, JSON_WIRE).map(({ span, context }) => toWriterSpan(guarded(span, context)));
      const received: WriterSpan[][] = [];
      for (let i = 0; i < all.length; i += 4096) received.push(deserialize(serialize(all.slice(i, i + 4096))) as WriterSpan[]);
      return received;
    });
    const path = join(dir, 'writer.db');
    const db = openWriterDatabase(path);
    const writer = new SpanWriter(db);
    const writerMicros = measure('store writer (SpanWriter, 4096-span batches)', spans, (rep) => {
      for (const batch of batches[rep]!) writer.writeWriterSpans(batch);
    });
    db.close();
    const rows = storeRows([normalised], join(dir, 'scratch.db'));
    // One database for all repetitions, as the writer's; each repetition's statements and row
    // copies (ids after the previous repetition's) are prepared before its clock starts.
    const ceilingDb = openWriterDatabase(join(dir, 'ceiling.db'));
    let replay = () => {};
    const ceilingMicros = measure(
      'ceiling (same rows, plain INSERTs)',
      spans,
      () => replay(),
      (rep) => (replay = prepareCeiling(ceilingDb, rows, rep)),
    );
    ceilingDb.close();
    console.log(`writer / ceiling CPU: ${(ceilingMicros / writerMicros).toFixed(2)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
