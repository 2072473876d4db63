// Configuration in one place: defaults < config file < environment < flags, merged and
// validated once at start. A bad value stops the start with a message naming it.
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { AlertsConfigError, DEFAULT_ALERTS_CONFIG, parseAlertsConfig, type AlertsConfig } from './alerts/rules.ts';
import { compileRedactionRules, type ModelPrice, type RedactionConfig, type RunOutcome } from '@runlens/schema';

/** USD per million tokens; overrides the price table for one model (defined once, in schema). */
export type { ModelPrice };

export interface RetentionRule {
  service?: string;
  outcome?: Exclude<RunOutcome, 'running'>;
  maxAgeMs: number;
}

export interface RetentionConfig {
  /** Runs (and their spans) older than this are deleted, unless a rule says otherwise. */
  maxAgeMs: number;
  /** Inputs and outputs (prompts, tool arguments and results) are dropped after this; metrics stay. */
  contentMaxAgeMs: number | null;
  /** The first rule that matches a run decides its max age. */
  rules: RetentionRule[];
  /** When the database is larger than this, the oldest runs go first. */
  maxDbBytes: number | null;
  /** How often the background pruner runs. */
  intervalMs: number;
}

export interface CollectorConfig {
  host: string;
  port: number;
  db: string;
  /** Request bodies are capped after decompression (413 above it). */
  maxBodyBytes: number;
  /** Spans waiting for the writer; above it ingest answers 503 with Retry-After. */
  maxQueuedSpans: number;
  /** Request bytes of exports not yet answered; above it (or with the queue full) ingest answers 503 before reading a body. */
  maxIngestBytesInFlight: number;
  retention: RetentionConfig;
  prices: Record<string, ModelPrice>;
  /** Directory of the built viewer; null to serve no viewer. */
  viewerDir: string | null;
  configFile: string | null;
  /** Run open on a non-loopback address without keys or users (`--insecure`). */
  insecure: boolean;
  /** Collector-side redaction before storage: the SDK's configuration shape; false turns it off. */
  redaction: RedactionConfig | boolean;
  /** Token bucket per ingest key (429 with Retry-After above it); null for no limit. */
  rateLimit: { perSecond: number; burst: number } | null;
  accessLog: { maxAgeMs: number };
  /** SQLite max_page_count for the writer (caps the file; tests simulate a full disk with it). */
  maxPageCount: number | null;
  /** Alert rules on the dashboard metrics, their webhook and the dashboard link base (alerts/rules.ts). */
  alerts: AlertsConfig;
}

export const DEFAULT_CONFIG: CollectorConfig = {
  host: '127.0.0.1',
  port: 4318,
  db: './runlens.db',
  maxBodyBytes: 32 * 1024 * 1024,
  // One writer batch, queued and in flight: what commits within ~0.5 s here, so a queued export is
  // answered long before the exporters' 10 s timeout. Measured under 128 protobuf senders: 8,192
  // spans and 16 MiB peaked at 568 MB RSS, 4,096 and 12 MiB at ~500 MB, at the same throughput.
  maxQueuedSpans: 4096,
  // Export bodies between admission and their answer, which bounds the spans being decoded, queued
  // and written. Peak RSS under 256 protobuf senders of 1.3 MB bodies (bench/README.md, "Memory"):
  // ~305 MB at 4 MiB, ~330 at 6, ~360 at 8, 390-430 at 12 (48 MiB reached 820 MB). Throughput is
  // the same from 4 MiB up when exporters retry after Retry-After as the OTLP exporters do; 8
  // saturating senders then see about one export in five refused once.
  maxIngestBytesInFlight: 4 * 1024 * 1024,
  retention: {
    maxAgeMs: 30 * 86_400_000,
    contentMaxAgeMs: null,
    rules: [],
    maxDbBytes: null,
    intervalMs: 60_000,
  },
  prices: {},
  // The viewer built in this repository (npm run build), wherever the collector is started from.
  viewerDir: fileURLToPath(new URL('../../viewer/dist', import.meta.url)),
  configFile: null,
  insecure: false,
  redaction: true,
  rateLimit: { perSecond: 100, burst: 200 },
  accessLog: { maxAgeMs: 365 * 86_400_000 },
  maxPageCount: null,
  alerts: DEFAULT_ALERTS_CONFIG,
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const DURATION_UNITS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };
const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, tb: 1e12, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** Parses `90d`, `12h`, `15m`, `30s`, `500ms` (or a number of ms). */
export function parseDuration(value: unknown, where: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
  const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h|d|w)\s*$/i.exec(value) : null;
  if (!match) throw new ConfigError(`${where}: expected a duration such as "30d", "12h" or "15m", got ${JSON.stringify(value)}`);
  return Number(match[1]) * DURATION_UNITS[match[2]!.toLowerCase()]!;
}

/** Parses `10GB`, `500MB`, `2GiB` (or a number of bytes). */
export function parseSize(value: unknown, where: string): number {
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value;
  const match = typeof value === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*([kmgt]i?b|b)\s*$/i.exec(value) : null;
  if (!match) throw new ConfigError(`${where}: expected a size such as "10GB" or "500MB", got ${JSON.stringify(value)}`);
  return Math.round(Number(match[1]) * SIZE_UNITS[match[2]!.toLowerCase()]!);
}

function parsePort(value: unknown, where: string): number {
  const port = typeof value === 'string' ? Number(value) : value;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`${where}: expected a port number from 0 to 65535, got ${JSON.stringify(value)}`);
  }
  return port;
}

function expectString(value: unknown, where: string): string {
  if (typeof value !== 'string' || value === '') throw new ConfigError(`${where}: expected a non-empty string, got ${JSON.stringify(value)}`);
  return value;
}

const OUTCOMES = ['success', 'failure', 'escalated', 'budget_exceeded'];

function parseRetention(raw: unknown, base: RetentionConfig, where: string): RetentionConfig {
  if (raw === undefined) return base;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${where}: expected an object`);
  const r = raw as Record<string, unknown>;
  const known = new Set(['maxAge', 'contentMaxAge', 'rules', 'maxDbSize', 'interval']);
  for (const key of Object.keys(r)) if (!known.has(key)) throw new ConfigError(`${where}.${key}: unknown setting (known: ${[...known].join(', ')})`);
  const rules = r.rules === undefined ? base.rules : r.rules;
  if (!Array.isArray(rules)) throw new ConfigError(`${where}.rules: expected an array of { service?, outcome?, maxAge }`);
  return {
    maxAgeMs: r.maxAge === undefined ? base.maxAgeMs : parseDuration(r.maxAge, `${where}.maxAge`),
    contentMaxAgeMs:
      r.contentMaxAge === undefined || r.contentMaxAge === null ? base.contentMaxAgeMs : parseDuration(r.contentMaxAge, `${where}.contentMaxAge`),
    maxDbBytes: r.maxDbSize === undefined || r.maxDbSize === null ? base.maxDbBytes : parseSize(r.maxDbSize, `${where}.maxDbSize`),
    intervalMs: r.interval === undefined ? base.intervalMs : parseDuration(r.interval, `${where}.interval`),
    rules: rules.map((rule: unknown, i: number): RetentionRule => {
      const at = `${where}.rules[${i}]`;
      if (typeof rule !== 'object' || rule === null) throw new ConfigError(`${at}: expected { service?, outcome?, maxAge }`);
      const { service, outcome, maxAge } = rule as Record<string, unknown>;
      if (service === undefined && outcome === undefined) throw new ConfigError(`${at}: a rule needs a service or an outcome to match`);
      if (outcome !== undefined && !OUTCOMES.includes(outcome as string)) {
        throw new ConfigError(`${at}.outcome: expected one of ${OUTCOMES.join(', ')}, got ${JSON.stringify(outcome)}`);
      }
      return {
        ...(service !== undefined && { service: expectString(service, `${at}.service`) }),
        ...(outcome !== undefined && { outcome: outcome as RetentionRule['outcome'] }),
        maxAgeMs: parseDuration(maxAge, `${at}.maxAge`),
      };
    }),
  };
}

function parsePrices(raw: unknown, where: string): Record<string, ModelPrice> {
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${where}: expected { "model": { "input": usdPerMTok, "output": usdPerMTok } }`);
  const prices: Record<string, ModelPrice> = {};
  for (const [model, price] of Object.entries(raw as Record<string, unknown>)) {
    const p = price as Record<string, unknown> | null;
    const at = `${where}.${model}`;
    for (const field of ['input', 'output'] as const) {
      if (typeof p?.[field] !== 'number' || p[field] < 0) throw new ConfigError(`${at}.${field}: expected USD per million tokens (a number >= 0)`);
    }
    if (p!.cachedInput !== undefined && (typeof p!.cachedInput !== 'number' || p!.cachedInput < 0)) {
      throw new ConfigError(`${at}.cachedInput: expected USD per million tokens (a number >= 0)`);
    }
    prices[model] = { input: p!.input as number, output: p!.output as number, ...(p!.cachedInput !== undefined && { cachedInput: p!.cachedInput as number }) };
  }
  return prices;
}

function parseRedaction(raw: unknown, where: string): RedactionConfig | boolean {
  if (typeof raw !== 'boolean' && (typeof raw !== 'object' || raw === null || Array.isArray(raw))) {
    throw new ConfigError(`${where}: expected true, false or { secrets?, email?, phone?, cardNumbers?, disable?, custom? }`);
  }
  try {
    compileRedactionRules(raw as RedactionConfig | boolean);
  } catch (error) {
    throw new ConfigError(`${where}: ${(error as Error).message}`);
  }
  return raw as RedactionConfig | boolean;
}

function parseRateLimit(raw: unknown, where: string): CollectorConfig['rateLimit'] {
  if (raw === null || raw === false) return null;
  const r = raw as Record<string, unknown> | null;
  const perSecond = r?.perSecond;
  const burst = r?.burst ?? (typeof perSecond === 'number' ? perSecond * 2 : undefined);
  if (typeof perSecond !== 'number' || perSecond <= 0 || typeof burst !== 'number' || burst < 1) {
    throw new ConfigError(`${where}: expected { "perSecond": number > 0, "burst"?: number >= 1 } or null for no limit`);
  }
  return { perSecond, burst };
}

function parsePageCount(value: unknown, where: string): number {
  const n = typeof value === 'string' ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) throw new ConfigError(`${where}: expected a whole number of pages >= 1, got ${JSON.stringify(value)}`);
  return n;
}

function parseAlerts(raw: unknown, where: string): AlertsConfig {
  try {
    return parseAlertsConfig(raw, where, parseDuration);
  } catch (error) {
    if (error instanceof AlertsConfigError) throw new ConfigError(error.message);
    throw error;
  }
}

/** Applies one layer of settings (a config file's content) over `base`. */
export function applyConfigFile(base: CollectorConfig, raw: unknown, file: string): CollectorConfig {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw new ConfigError(`${file}: expected a JSON object`);
  const r = raw as Record<string, unknown>;
  const known = new Set(['host', 'port', 'db', 'maxBodySize', 'maxQueuedSpans', 'maxIngestBytesInFlight', 'retention', 'prices', 'viewerDir', 'redaction', 'rateLimit', 'accessLog', 'alerts']);
  for (const key of Object.keys(r)) {
    if (!known.has(key) && !key.startsWith('$')) throw new ConfigError(`${file}: unknown setting "${key}" (known: ${[...known].join(', ')})`);
  }
  return {
    ...base,
    ...(r.host !== undefined && { host: expectString(r.host, `${file}: host`) }),
    ...(r.port !== undefined && { port: parsePort(r.port, `${file}: port`) }),
    ...(r.db !== undefined && { db: expectString(r.db, `${file}: db`) }),
    ...(r.maxBodySize !== undefined && { maxBodyBytes: parseSize(r.maxBodySize, `${file}: maxBodySize`) }),
    ...(r.maxQueuedSpans !== undefined && { maxQueuedSpans: parsePort(r.maxQueuedSpans, `${file}: maxQueuedSpans`) }),
    ...(r.maxIngestBytesInFlight !== undefined && { maxIngestBytesInFlight: parseSize(r.maxIngestBytesInFlight, `${file}: maxIngestBytesInFlight`) }),
    ...(r.viewerDir !== undefined && { viewerDir: r.viewerDir === null ? null : expectString(r.viewerDir, `${file}: viewerDir`) }),
    retention: parseRetention(r.retention, base.retention, `${file}: retention`),
    prices: { ...base.prices, ...parsePrices(r.prices, `${file}: prices`) },
    ...(r.redaction !== undefined && { redaction: parseRedaction(r.redaction, `${file}: redaction`) }),
    ...(r.rateLimit !== undefined && { rateLimit: parseRateLimit(r.rateLimit, `${file}: rateLimit`) }),
    ...(r.accessLog !== undefined && {
      accessLog: { maxAgeMs: parseDuration((r.accessLog as { maxAge?: unknown } | null)?.maxAge, `${file}: accessLog.maxAge`) },
    }),
    ...(r.alerts !== undefined && { alerts: parseAlerts(r.alerts, `${file}: alerts`) }),
    configFile: file,
  };
}

export interface ConfigSources {
  flags: Record<string, string | undefined>;
  env: Record<string, string | undefined>;
}

/** Treats empty environment variables as unset, as OpenTelemetry does. */
function envValue(env: Record<string, string | undefined>, name: string): string | undefined {
  const value = env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

/**
 * Builds the configuration: defaults, then the config file (flag `--config`, env `RUNLENS_CONFIG`,
 * or `./runlens.config.json` when present), then `RUNLENS_*` variables, then flags.
 */
export function loadConfig({ flags, env }: ConfigSources, base: CollectorConfig = DEFAULT_CONFIG): CollectorConfig {
  let config = { ...base };
  const explicitFile = flags.config ?? envValue(env, 'RUNLENS_CONFIG');
  const file = explicitFile ?? 'runlens.config.json';
  let text: string | null = null;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if (explicitFile !== undefined) throw new ConfigError(`cannot read config file ${file}: ${(error as Error).message}`);
  }
  if (text !== null) {
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch (error) {
      throw new ConfigError(`${file} is not valid JSON: ${(error as Error).message}`);
    }
    config = applyConfigFile(config, raw, file);
  }
  const host = flags.host ?? envValue(env, 'RUNLENS_HOST');
  const port = flags.port ?? envValue(env, 'RUNLENS_PORT');
  const db = flags.db ?? envValue(env, 'RUNLENS_DB');
  const maxBody = flags['max-body-size'] ?? envValue(env, 'RUNLENS_MAX_BODY_SIZE');
  const maxAge = flags['retention-max-age'] ?? envValue(env, 'RUNLENS_RETENTION_MAX_AGE');
  const contentMaxAge = flags['retention-content-max-age'] ?? envValue(env, 'RUNLENS_RETENTION_CONTENT_MAX_AGE');
  const maxDbSize = flags['retention-max-db-size'] ?? envValue(env, 'RUNLENS_RETENTION_MAX_DB_SIZE');
  const rateLimit = flags['rate-limit'] ?? envValue(env, 'RUNLENS_RATE_LIMIT');
  const maxPageCount = envValue(env, 'RUNLENS_MAX_PAGE_COUNT');
  const maxInFlight = envValue(env, 'RUNLENS_MAX_INGEST_BYTES_IN_FLIGHT');
  const maxQueued = envValue(env, 'RUNLENS_MAX_QUEUED_SPANS');
  return {
    ...config,
    ...(rateLimit !== undefined && {
      rateLimit: rateLimit === 'off' ? null : parseRateLimit({ perSecond: Number(rateLimit) }, '--rate-limit / RUNLENS_RATE_LIMIT (requests per second per key, or off)'),
    }),
    ...(maxPageCount !== undefined && { maxPageCount: parsePageCount(maxPageCount, 'RUNLENS_MAX_PAGE_COUNT') }),
    ...(host !== undefined && { host }),
    ...(port !== undefined && { port: parsePort(port, flags.port !== undefined ? '--port' : 'RUNLENS_PORT') }),
    ...(db !== undefined && { db }),
    ...(maxInFlight !== undefined && { maxIngestBytesInFlight: parseSize(maxInFlight, 'RUNLENS_MAX_INGEST_BYTES_IN_FLIGHT') }),
    ...(maxQueued !== undefined && { maxQueuedSpans: parsePort(maxQueued, 'RUNLENS_MAX_QUEUED_SPANS') }),
    ...(maxBody !== undefined && { maxBodyBytes: parseSize(maxBody, '--max-body-size / RUNLENS_MAX_BODY_SIZE') }),
    retention: {
      ...config.retention,
      ...(maxAge !== undefined && { maxAgeMs: parseDuration(maxAge, '--retention-max-age / RUNLENS_RETENTION_MAX_AGE') }),
      ...(contentMaxAge !== undefined && {
        contentMaxAgeMs: parseDuration(contentMaxAge, '--retention-content-max-age / RUNLENS_RETENTION_CONTENT_MAX_AGE'),
      }),
      ...(maxDbSize !== undefined && { maxDbBytes: parseSize(maxDbSize, '--retention-max-db-size / RUNLENS_RETENTION_MAX_DB_SIZE') }),
    },
  };
}
