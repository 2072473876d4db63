// Hostile input: random and mutated OTLP (JSON and protobuf) never crashes the decoders or
// normalise, never hangs, and through the HTTP route always gets a 400 or a (partial) success.
// Runs are bounded so the file stays well under 30 s.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Hono } from 'hono';
import { normaliseSpan } from '@runlens/schema';
import { createApp } from '../../collector/src/app.ts';
import { DEFAULT_CONFIG } from '../../collector/src/config.ts';
import { decodeTraceRequest } from '../../collector/src/ingest/decode-traces.ts';
import { decodeLogsRequest } from '../../collector/src/ingest/decode-logs.ts';
import { InvalidRequestError } from '../../collector/src/ingest/errors.ts';
import { genAiTraceRequest, protobufTraceBody } from '../../collector/src/ingest/test-fixtures.ts';
import { JSON_WIRE, PROTOBUF_WIRE, type OtlpWire } from '../../collector/src/ingest/wire.ts';
import { openSqliteStore } from '../../collector/src/store/sqlite-store.ts';
import type { Store } from '../../collector/src/store/store.ts';

/** A call that takes longer than this on a body of a few KB counts as a hang. */
const HANG_MS = 2000;
const RUNS = 400;

type Json = unknown;

/** Decodes and normalises like the route; only InvalidRequestError may escape. */
function decodeAndNormalise(body: Buffer, wire: OtlpWire): 'invalid' | number {
  const started = performance.now();
  let outcome: 'invalid' | number;
  try {
    const decoded = decodeTraceRequest(body, wire);
    let normalised = 0;
    for (const batch of decoded.batches) {
      for (const span of batch.spans) {
        normaliseSpan(span, batch.context);
        normalised++;
      }
    }
    expect(decoded.accepted).toBe(normalised);
    outcome = normalised;
  } catch (error) {
    if (!(error instanceof InvalidRequestError)) throw error;
    outcome = 'invalid';
  }
  expect(performance.now() - started).toBeLessThan(HANG_MS);
  return outcome;
}

/** Every path (array of keys) inside a JSON value. */
function paths(value: Json, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, i) => paths(item, [...prefix, i], out));
  else if (value !== null && typeof value === 'object') for (const [k, v] of Object.entries(value)) paths(v, [...prefix, k], out);
  return out;
}

type Mutation = { at: number; kind: 'replace' | 'delete' | 'duplicate' | 'stringify'; value: Json };

/** The GenAI example request with one node replaced, removed, doubled or turned into a string. */
function mutate(request: Json, mutation: Mutation): Json {
  const copy = structuredClone(request) as Record<string, unknown>;
  const all = paths(copy).filter((p) => p.length > 0);
  if (all.length === 0) return mutation.kind === 'replace' ? mutation.value : copy;
  const path = all[mutation.at % all.length]!;
  let parent: any = copy;
  for (const key of path.slice(0, -1)) parent = parent[key];
  const last = path[path.length - 1]!;
  if (mutation.kind === 'replace') parent[last] = mutation.value;
  else if (mutation.kind === 'stringify') parent[last] = JSON.stringify(parent[last]);
  else if (mutation.kind === 'delete') {
    if (Array.isArray(parent)) parent.splice(Number(last), 1);
    else delete parent[last];
  } else if (Array.isArray(parent)) parent.push(structuredClone(parent[Number(last)]));
  else parent[last] = [parent[last], parent[last]];
  return copy;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  at: fc.nat(),
  kind: fc.constantFrom('replace', 'delete', 'duplicate', 'stringify'),
  value: fc.oneof(
    fc.jsonValue({ maxDepth: 3 }),
    fc.constantFrom('', '0', '-1', 'ffffffffffffffffffffffffffffffff', '00000000000000000000000000000000', 1e308, -0, 2 ** 64, '18446744073709551616', null, [], {}),
  ),
});

/** Random bytes written over, inserted into or cut from a valid body. */
const byteEditsArb = fc.array(
  fc.record({ at: fc.nat(), kind: fc.constantFrom('flip', 'insert', 'truncate'), bytes: fc.uint8Array({ minLength: 1, maxLength: 8 }) }),
  { minLength: 1, maxLength: 6 },
);

function editBytes(body: Buffer, edits: { at: number; kind: string; bytes: Uint8Array }[]): Buffer {
  let out = Buffer.from(body);
  for (const edit of edits) {
    const at = out.length === 0 ? 0 : edit.at % out.length;
    if (edit.kind === 'flip') for (let i = 0; i < edit.bytes.length && at + i < out.length; i++) out[at + i] = out[at + i]! ^ edit.bytes[i]!;
    else if (edit.kind === 'insert') out = Buffer.concat([out.subarray(0, at), edit.bytes, out.subarray(at)]);
    else out = out.subarray(0, at);
  }
  return out;
}

// OTLP-shaped requests with random contents: the shape passes the decoder, so normalise sees
// hostile attribute values (nested kvlists, huge numbers, JSON-looking strings, indexed keys).
const anyValueArb: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.record({ stringValue: fc.oneof(fc.string(), fc.json({ maxDepth: 3 })) }),
    fc.record({ intValue: fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(String), fc.integer()) }),
    fc.record({ doubleValue: fc.double() }),
    fc.record({ boolValue: fc.boolean() }),
    fc.record({ bytesValue: fc.base64String() }),
    fc.record({ arrayValue: fc.record({ values: fc.array(tie('value'), { maxLength: 4 }) }) }),
    fc.record({ kvlistValue: fc.record({ values: fc.array(fc.record({ key: fc.string(), value: tie('value') }), { maxLength: 4 }) }) }),
    fc.constant({}),
  ),
})).value;

const KEYS = [
  'gen_ai.operation.name', 'gen_ai.input.messages', 'gen_ai.output.messages', 'gen_ai.tool.call.arguments', 'gen_ai.tool.call.result',
  'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'gen_ai.request.model', 'gen_ai.response.finish_reasons', 'gen_ai.system_instructions',
  'llm.input_messages.0.message.role', 'llm.input_messages.99999999.message.content', 'gen_ai.prompt.0.content', 'gen_ai.completion.3.tool_calls.2.name',
  'openinference.span.kind', 'traceloop.span.kind', 'langfuse.observation.type', 'langfuse.observation.usage_details', 'ai.prompt.messages',
  'ai.response.toolCalls', 'runlens.run.outcome', 'runlens.cost.usd', 'llm.cost.total', 'user.id', 'session.id', '__proto__', 'constructor',
];
const attributesArb = fc.array(fc.record({ key: fc.oneof(fc.constantFrom(...KEYS), fc.string()), value: anyValueArb }), { maxLength: 8 });
const hexArb = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));

const otlpRequestArb = fc
  .array(
    fc.record({
      traceId: fc.oneof({ weight: 9, arbitrary: hexArb(32) }, { weight: 1, arbitrary: fc.string() }),
      spanId: fc.oneof({ weight: 9, arbitrary: hexArb(16) }, { weight: 1, arbitrary: fc.string() }),
      parentSpanId: fc.option(hexArb(16), { nil: undefined }),
      name: fc.string(),
      kind: fc.oneof(fc.integer({ min: -2, max: 9 }), fc.string()),
      startTimeUnixNano: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String), fc.nat()),
      endTimeUnixNano: fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }).map(String), fc.nat()),
      attributes: attributesArb,
      events: fc.array(fc.record({ name: fc.constantFrom('runlens.escalation', 'runlens.policy.violation', 'exception', 'gen_ai.choice', 'x'), timeUnixNano: fc.bigInt({ min: 0n, max: 2n ** 63n }).map(String), attributes: attributesArb }), { maxLength: 3 }),
      status: fc.record({ code: fc.oneof(fc.integer({ min: -1, max: 3 }), fc.string()), message: fc.string() }),
    }),
    { minLength: 1, maxLength: 5 },
  )
  .chain((spans) => attributesArb.map((resource) => ({ resourceSpans: [{ resource: { attributes: resource }, scopeSpans: [{ scope: { name: 'fuzz' }, spans }] }] })));

describe('the OTLP decoders and normalise', () => {
  it('take random JSON without throwing anything but a 400-class error', () => {
    fc.assert(fc.property(fc.jsonValue({ maxDepth: 5 }), (value) => void decodeAndNormalise(Buffer.from(JSON.stringify(value) ?? 'null'), JSON_WIRE)), { numRuns: RUNS });
  });

  it('take random bytes as protobuf and as JSON without throwing anything but a 400-class error', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (bytes) => {
        decodeAndNormalise(Buffer.from(bytes), PROTOBUF_WIRE);
        decodeAndNormalise(Buffer.from(bytes), JSON_WIRE);
        // The logs decoder shares the wire code: it must hold up too.
        for (const wire of [PROTOBUF_WIRE, JSON_WIRE]) {
          try {
            decodeLogsRequest(Buffer.from(bytes), wire);
          } catch (error) {
            if (!(error instanceof InvalidRequestError)) throw error;
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('take a valid request with one part replaced, removed, doubled or stringified', () => {
    fc.assert(
      fc.property(fc.array(mutationArb, { minLength: 1, maxLength: 4 }), (mutations) => {
        const request = mutations.reduce<Json>((r, m) => mutate(r, m), genAiTraceRequest());
        decodeAndNormalise(Buffer.from(JSON.stringify(request)), JSON_WIRE);
        let body: Buffer | null = null;
        try {
          body = protobufTraceBody(request as Record<string, unknown>);
        } catch {
          // not encodable as protobuf: the JSON run above covers it
        }
        if (body) decodeAndNormalise(body, PROTOBUF_WIRE);
      }),
      { numRuns: RUNS },
    );
  });

  it('take a valid body with bytes flipped, inserted or cut off', () => {
    const json = Buffer.from(JSON.stringify(genAiTraceRequest()));
    const proto = protobufTraceBody(genAiTraceRequest());
    fc.assert(
      fc.property(byteEditsArb, (edits) => {
        decodeAndNormalise(editBytes(json, edits), JSON_WIRE);
        decodeAndNormalise(editBytes(proto, edits), PROTOBUF_WIRE);
      }),
      { numRuns: RUNS },
    );
  });

  it('normalise spans of valid shape with hostile attribute values in both encodings', () => {
    let normalised = 0;
    fc.assert(
      fc.property(otlpRequestArb, (request) => {
        const fromJson = decodeAndNormalise(Buffer.from(JSON.stringify(request)), JSON_WIRE);
        if (fromJson !== 'invalid') normalised += fromJson;
        let body: Buffer | null = null;
        try {
          body = protobufTraceBody(request);
        } catch {
          // a value protobuf cannot carry (an int64 beyond 64 bits): the JSON run covers it
        }
        if (body) decodeAndNormalise(body, PROTOBUF_WIRE);
      }),
      { numRuns: RUNS },
    );
    // The generator is shaped so that most spans get through the decoder to normalise.
    expect(normalised).toBeGreaterThan(RUNS / 2);
  });
});

describe('the HTTP route under hostile bodies', () => {
  let dir: string;
  let store: Store;
  let app: Hono;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'runlens-fuzz-'));
    store = await openSqliteStore({ path: join(dir, 'fuzz.db'), retention: DEFAULT_CONFIG.retention, maxQueuedSpans: 100_000 });
    app = createApp({ store, config: { ...DEFAULT_CONFIG, viewerDir: null } });
  });

  afterAll(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  async function post(body: Uint8Array, contentType: string): Promise<Response> {
    const started = performance.now();
    const response = await app.request('/v1/traces', { method: 'POST', headers: { 'Content-Type': contentType }, body: new Uint8Array(body) });
    expect(performance.now() - started).toBeLessThan(5 * HANG_MS);
    return response;
  }

  it('answers every random or mutated body with a 400 or a 200 (partial success when spans were rejected)', async () => {
    const json = Buffer.from(JSON.stringify(genAiTraceRequest()));
    const proto = protobufTraceBody(genAiTraceRequest());
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.uint8Array({ maxLength: 1024 }).map((b) => ({ body: b, type: 'application/x-protobuf' })),
          fc.jsonValue({ maxDepth: 4 }).map((v) => ({ body: Buffer.from(JSON.stringify(v) ?? 'null'), type: 'application/json' })),
          byteEditsArb.map((e) => ({ body: editBytes(proto, e), type: 'application/x-protobuf' })),
          byteEditsArb.map((e) => ({ body: editBytes(json, e), type: 'application/json' })),
          fc.array(mutationArb, { minLength: 1, maxLength: 3 }).map((m) => ({
            body: Buffer.from(JSON.stringify(m.reduce<Json>((r, x) => mutate(r, x), genAiTraceRequest()))),
            type: 'application/json',
          })),
          otlpRequestArb.map((r) => ({ body: Buffer.from(JSON.stringify(r)), type: 'application/json' })),
        ),
        async ({ body, type }) => {
          const response = await post(body, type);
          expect([200, 400]).toContain(response.status);
          if (response.status === 200 && type === 'application/json') {
            const answer = (await response.json()) as { partialSuccess?: { rejectedSpans?: string; errorMessage?: string } };
            if (answer.partialSuccess) expect(Number(answer.partialSuccess.rejectedSpans)).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 300 },
    );
    // The process is still serving: a valid export after all that is stored.
    expect((await post(json, 'application/json')).status).toBe(200);
  });
});
