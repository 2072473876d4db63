// The realistic workload: runs from the demo's trace generator (sdk/demo/generator.ts, virtual
// time, about a dozen spans a run, long system prompts resent on every call), serialised once with
// the OTLP exporters' own serializers (@opentelemetry/otlp-transformer: what exporter-trace-otlp-http
// and -proto send), then replayed as templates. Each replay gets fresh trace ids and fresh order
// ids (which appear in the user message, tool arguments and results, and the chat history), so
// every request stores new runs and new texts, as live traffic would. Rewrites keep byte lengths,
// so JSON and protobuf bodies stay valid without re-encoding: a sender spends ~1 ms per request.
import { randomBytes } from 'node:crypto';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { generateRunSpans } from '../../sdk/demo/generator.ts';

export type Encoding = 'json' | 'protobuf';

export interface Pool {
  runs: number;
  spans: ReadableSpan[];
  /** Whole runs grouped into requests of about `spansPerRequest` spans. */
  requests: ReadableSpan[][];
}

/** Generates `runs` demo runs and groups them into export requests of whole runs. */
export async function makePool(runs: number, options: { seed?: number; spansPerRequest?: number; spacingMs?: number; startTime?: number } = {}): Promise<Pool> {
  const spans = await generateRunSpans({
    runs,
    seed: options.seed ?? 7,
    spacingMs: options.spacingMs ?? 2000,
    ...(options.startTime !== undefined && { startTime: options.startTime }),
  });
  const byTrace = new Map<string, ReadableSpan[]>();
  for (const span of spans) {
    const id = span.spanContext().traceId;
    const list = byTrace.get(id);
    if (list) list.push(span);
    else byTrace.set(id, [span]);
  }
  const perRequest = options.spansPerRequest ?? 512;
  const requests: ReadableSpan[][] = [];
  let current: ReadableSpan[] = [];
  for (const trace of byTrace.values()) {
    current.push(...trace);
    if (current.length >= perRequest) {
      requests.push(current);
      current = [];
    }
  }
  if (current.length > 0) requests.push(current);
  return { runs, spans, requests };
}

export function serialize(spans: ReadableSpan[], encoding: Encoding): Buffer {
  const body = encoding === 'json' ? JsonTraceSerializer.serializeRequest(spans) : ProtobufTraceSerializer.serializeRequest(spans);
  if (!body) throw new Error('the OTLP serializer returned nothing');
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
}

const ORDER_ID = /A-\d{5}/g;
const JSON_NANOS = /UnixNano":"(\d{19})"/g;
const BASE36 = '0123456789abcdefghijklmnopqrstuvwxyz';

/** One serialized request whose ids (and, for JSON, times) can be rewritten in place. */
export class BodyTemplate {
  readonly encoding: Encoding;
  readonly spans: number;
  readonly traces: number;
  readonly #body: Buffer;
  /** Byte offsets of each trace id's occurrences, one list per distinct trace id. */
  readonly #traceOffsets: number[][];
  /** Offsets of the 5 characters after `A-` of each distinct order id. */
  readonly #orderOffsets: number[][];
  /** JSON only: offsets and values of the 19-digit nanosecond times. */
  readonly #times: { offset: number; value: bigint }[];

  constructor(spans: ReadableSpan[], encoding: Encoding) {
    this.encoding = encoding;
    this.spans = spans.length;
    this.#body = serialize(spans, encoding);
    const traceIds = [...new Set(spans.map((s) => s.spanContext().traceId))];
    this.traces = traceIds.length;
    this.#traceOffsets = traceIds.map((id) => allOffsets(this.#body, encoding === 'json' ? Buffer.from(id, 'latin1') : Buffer.from(id, 'hex')));
    const text = this.#body.toString('latin1');
    const orders = new Map<string, number[]>();
    for (const match of text.matchAll(ORDER_ID)) {
      const list = orders.get(match[0]) ?? [];
      list.push(match.index + 2);
      orders.set(match[0], list);
    }
    this.#orderOffsets = [...orders.values()];
    this.#times = encoding === 'json' ? [...text.matchAll(JSON_NANOS)].map((m) => ({ offset: m.index + m[0].length - 20, value: BigInt(m[1]!) })) : [];
  }

  get bytes(): number {
    return this.#body.length;
  }

  /**
   * A copy with fresh trace ids and order ids; `shiftNs` moves every time (JSON only).
   * `traceIds` receives the new trace ids (hex) when given.
   */
  instance(options: { shiftNs?: bigint; traceIds?: string[] } = {}): Buffer {
    const body = Buffer.from(this.#body);
    const random = randomBytes(16 * this.#traceOffsets.length + 5 * this.#orderOffsets.length);
    let r = 0;
    for (const offsets of this.#traceOffsets) {
      const id = random.subarray(r, r + 16);
      r += 16;
      const hex = id.toString('hex');
      options.traceIds?.push(hex);
      for (const offset of offsets) {
        if (this.encoding === 'json') body.write(hex, offset, 'latin1');
        else id.copy(body, offset);
      }
    }
    for (const offsets of this.#orderOffsets) {
      let token = '';
      for (let i = 0; i < 5; i++) token += BASE36[random[r++]! % 36];
      for (const offset of offsets) body.write(token, offset, 'latin1');
    }
    if (options.shiftNs !== undefined && options.shiftNs !== 0n) {
      for (const { offset, value } of this.#times) body.write(String(value + options.shiftNs).padStart(19, '0'), offset, 'latin1');
    }
    return body;
  }

  /** The first and last start times in the body (JSON only), ns. */
  timeRange(): { min: bigint; max: bigint } {
    let min = this.#times[0]?.value ?? 0n;
    let max = min;
    for (const { value } of this.#times) {
      if (value < min) min = value;
      if (value > max) max = value;
    }
    return { min, max };
  }
}

function allOffsets(haystack: Buffer, needle: Buffer): number[] {
  const offsets: number[] = [];
  for (let at = haystack.indexOf(needle); at !== -1; at = haystack.indexOf(needle, at + needle.length)) offsets.push(at);
  return offsets;
}
