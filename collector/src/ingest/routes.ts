// The OTLP/HTTP receiver: POST /v1/traces (also at Langfuse's /api/public/otel/v1/traces) and
// POST /v1/logs, as opentelemetry-proto docs/specification.md and the receiver checklist of
// conventions.md (a) describe. Mount with `app.route('/', otlpRoutes(...))`; its own onError answers every failure
// with a google.rpc.Status encoded like the request.
import { Hono } from 'hono';
import type { Context } from 'hono';
import { cors } from 'hono/cors';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { gzipSync } from 'node:zlib';
import { GEN_AI } from '@runlens/schema';
import type { NormalisedSpan, OtlpSpan, OtlpSpanContext } from '@runlens/schema';
import type { Store } from '../store/store.ts';
import { StoreBusyError, StoreUnavailableError } from '../store/store.ts';
import { BodyTooLargeError, readRequestBody, UnsupportedEncodingError } from './body.ts';
import { decodeLogsRequest, isEvaluationResult } from './decode-logs.ts';
import { decodeTraceRequest } from './decode-traces.ts';
import { InvalidRequestError } from './errors.ts';
import { MAX_PROBLEMS } from './raw.ts';
import { JSON_WIRE, wireForContentType } from './wire.ts';
import type { IngestAdmission } from './admission.ts';
import type { OtlpWire, PartialSuccess } from './wire.ts';

export interface OtlpRoutesOptions {
  store: Store;
  /** Turns a decoded span into the stored one (schema's normaliseSpan, with the price table). */
  normalise: (span: OtlpSpan, context: OtlpSpanContext) => NormalisedSpan;
  /** Cap on a request body, measured after decompression (413 above it). */
  maxBodyBytes: number;
  /** Origins allowed to export from a browser (CORS); any origin by default. */
  corsOrigin?: string | string[];
  /** Refuses exports with 503 + Retry-After before their body is read when over budget (admission.ts). */
  admission?: IngestAdmission;
  /** Retry-After (seconds) when the database cannot take writes; short, for the exporters' 10 s timeout. */
  unavailableRetryAfterSeconds?: number;
}

const DEFAULTS = { corsOrigin: '*' as string | string[], unavailableRetryAfterSeconds: 5 };

export const TRACE_PATHS = ['/v1/traces', '/api/public/otel/v1/traces'] as const;
export const LOGS_PATH = '/v1/logs';

/** google.rpc.Code for each HTTP status the receiver answers with. */
const RPC_CODES: Partial<Record<number, number>> = { 400: 3, 405: 12, 413: 3, 415: 3, 429: 8, 500: 13, 503: 14 };

const ZERO_WEIGHT = /^\s*q\s*=\s*0(\.0*)?\s*$/;

/** `Accept-Encoding` lists gzip with a non-zero weight. */
function acceptsGzip(header: string | undefined): boolean {
  if (!header) return false;
  for (const part of header.split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    if (coding !== 'gzip' && coding !== 'x-gzip') continue;
    return !params.some((param) => ZERO_WEIGHT.test(param));
  }
  return false;
}

function respond(c: Context, status: ContentfulStatusCode, wire: OtlpWire, body: Uint8Array, headers: Record<string, string> = {}): Response {
  headers['Content-Type'] = wire.contentType;
  let payload = body;
  if (payload.length > 0 && acceptsGzip(c.req.header('accept-encoding'))) {
    payload = gzipSync(payload);
    headers['Content-Encoding'] = 'gzip';
  }
  // c.body keeps headers set by middleware (CORS). Copy: a Response wants an ArrayBuffer-backed
  // view, and encoders' Buffers may be slices of a shared pool.
  if (payload.length === 0) return c.body(null, status, headers);
  return c.body(new Uint8Array(payload), status, headers);
}

function partialSuccess(rejected: number, problems: string[]): PartialSuccess | null {
  if (rejected === 0) return null;
  const more = rejected - problems.length;
  return { rejected, errorMessage: problems.join('; ') + (more > 0 ? `; and ${more} more` : '') };
}

function requestWire(c: Context): OtlpWire {
  const header = c.req.header('content-type');
  const wire = wireForContentType(header);
  if (wire === null) {
    throw new HTTPException(415, {
      message: `Content-Type ${JSON.stringify(header ?? '')} is not supported; send application/x-protobuf or application/json`,
    });
  }
  return wire;
}

export function otlpRoutes(options: OtlpRoutesOptions): Hono {
  const opts = { ...DEFAULTS, ...options };
  const { store, normalise, maxBodyBytes } = opts;
  const app = new Hono();

  // A database that cannot take writes (disk full) is logged once when ingest starts answering
  // 503 and once when it takes writes again, not on every refused request.
  let refusingWrites = false;
  /** Waits for a store write (started by the caller, so nothing here holds its spans), logging the database refusing writes. */
  const committed = async (write: Promise<void>): Promise<void> => {
    try {
      await write;
    } catch (error) {
      if (error instanceof StoreUnavailableError && !refusingWrites) {
        refusingWrites = true;
        console.error(`runlens: answering ingest with 503 until the database takes writes again: ${error.message}`);
      }
      throw error;
    }
    if (refusingWrites) console.error('runlens: the database takes writes again; ingest answers 200');
    refusingWrites = false;
  };

  // Browser exporters post with fetch: answer preflights on the OTLP paths only.
  const corsMiddleware = cors({
    origin: opts.corsOrigin,
    allowMethods: ['POST', 'OPTIONS'],
    allowHeaders: ['Content-Type', 'Content-Encoding', 'Authorization'],
    exposeHeaders: ['Retry-After'],
    maxAge: 86_400,
  });
  for (const path of [...TRACE_PATHS, LOGS_PATH]) app.use(path, corsMiddleware);
  if (opts.admission) for (const path of [...TRACE_PATHS, LOGS_PATH]) app.use(path, opts.admission.middleware);

  const exportTraces = async (c: Context): Promise<Response> => {
    const wire = requestWire(c);
    const decoded = decodeTraceRequest(await readRequestBody(c.req.raw, maxBodyBytes), wire);
    const spans: NormalisedSpan[] = [];
    let rejected = decoded.rejected;
    const problems = decoded.problems;
    for (const batch of decoded.batches) {
      // Each decoded span is let go once normalised, and the normalised ones are handed over to
      // the store (splice: this frame keeps an empty array), which keeps only its writer form:
      // this request's spans are garbage once the store has them, not when the write commits
      // tens of milliseconds later. Until then they outlived two scavenges and V8 moved them to
      // the old generation (measured at saturation: 10-25 MB less peak RSS, and in 6 of 7 A/B
      // pairs 3-14% less CPU per span, mostly GC; bench/README.md, fourth pass).
      const decodedSpans: (OtlpSpan | null)[] = batch.spans;
      for (let i = 0; i < decodedSpans.length; i++) {
        const span = decodedSpans[i]!;
        decodedSpans[i] = null;
        try {
          spans.push(normalise(span, batch.context));
        } catch (error) {
          // A normaliser bug must not cost the client the rest of its batch.
          rejected++;
          if (problems.length < MAX_PROBLEMS) problems.push(`span ${span.spanId}: could not be normalised: ${(error as Error).message}`);
        }
      }
    }
    // Acknowledge only once the transaction holding these spans has committed.
    if (spans.length > 0) await committed(store.write(spans.splice(0)));
    return respond(c, 200, wire, wire.encodeTraceResponse(partialSuccess(rejected, problems)));
  };

  const exportLogs = async (c: Context): Promise<Response> => {
    const wire = requestWire(c);
    const decoded = decodeLogsRequest(await readRequestBody(c.req.raw, maxBodyBytes), wire);
    const evaluations = decoded.records.filter(isEvaluationResult);
    let rejected = decoded.rejected;
    const problems = decoded.problems;
    const dropped = decoded.records.length - evaluations.length;
    if (dropped > 0) {
      rejected += dropped;
      problems.push(`${dropped} log record${dropped === 1 ? ' was' : 's were'} not stored: Runlens keeps only ${GEN_AI.evaluationResult} events from logs`);
    }
    if (evaluations.length > 0) await store.writeEvaluations(evaluations);
    return respond(c, 200, wire, wire.encodeLogsResponse(partialSuccess(rejected, problems)));
  };

  const methodNotAllowed = (c: Context): Response => {
    throw new HTTPException(405, { message: `${c.req.method} is not allowed on ${c.req.path}; OTLP/HTTP exports use POST` });
  };

  for (const path of TRACE_PATHS) {
    app.post(path, exportTraces);
    app.all(path, methodNotAllowed);
  }
  app.post(LOGS_PATH, exportLogs);
  app.all(LOGS_PATH, methodNotAllowed);

  app.onError((error, c) => {
    // Failures are encoded like the request; an unusable Content-Type gets JSON.
    const wire = wireForContentType(c.req.header('content-type')) ?? JSON_WIRE;
    let status: ContentfulStatusCode;
    let message = error.message;
    const headers: Record<string, string> = {};
    if (error instanceof HTTPException) status = error.status;
    else if (error instanceof InvalidRequestError) status = 400;
    else if (error instanceof BodyTooLargeError) status = 413;
    else if (error instanceof UnsupportedEncodingError) status = 415;
    else if (error instanceof StoreBusyError) {
      status = 503;
      headers['Retry-After'] = String(error.retryAfterSeconds);
    } else if (error instanceof StoreUnavailableError) {
      status = 503;
      headers['Retry-After'] = String(opts.unavailableRetryAfterSeconds);
      message = `the database cannot take writes, nothing was stored: ${error.message}`;
    } else {
      status = 500;
      message = `internal error, nothing was stored: ${error.message}`;
      console.error(`runlens: ${c.req.method} ${c.req.path} failed:`, error);
    }
    if (status === 405) headers.Allow = 'POST, OPTIONS';
    return respond(c, status, wire, wire.encodeStatus(RPC_CODES[status] ?? 2, message), headers);
  });

  return app;
}
