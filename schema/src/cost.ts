// Cost of an llm or embedding call: tokens × the model's price from @pydantic/genai-prices (its
// bundled table, offline; prices are never fetched at run time), overridable per model. An unknown
// model or provider costs null, never a guess (design.md "Cost").
import { calcPrice, findProvider } from '@pydantic/genai-prices';

/** USD per million tokens; overrides the price table for one model. */
export interface ModelPrice {
  input: number;
  output: number;
  /** Price of cache-read input tokens; the input price when absent. */
  cachedInput?: number;
}

export interface TokenUsage {
  model: string | null;
  provider: string | null;
  /** Includes cached tokens (conventions.md rule 4). */
  inputTokens: number | null;
  outputTokens: number | null;
  /** Cache-read input tokens, a subset of inputTokens. */
  cachedTokens: number | null;
  /** Cache-write input tokens, a subset of inputTokens (Anthropic prices them above input). */
  cacheWriteTokens?: number | null;
}

/**
 * USD cost of one call, or null when it cannot be known: no model, no token counts, or a model the
 * overrides and the price table do not know. A provider the table does not know also gives null,
 * since the same model name is priced differently by different hosts.
 */
export function costOf(usage: TokenUsage, overrides?: Record<string, ModelPrice>): number | null {
  const { model } = usage;
  if (model === null || (usage.inputTokens === null && usage.outputTokens === null)) return null;
  const input = usage.inputTokens ?? 0;
  const output = usage.outputTokens ?? 0;
  const cacheRead = Math.min(usage.cachedTokens ?? 0, input);
  const cacheWrite = Math.min(usage.cacheWriteTokens ?? 0, input - cacheRead);
  if (overrides !== undefined) {
    const price = overrideFor(overrides, model);
    if (price !== undefined) {
      const cachedRate = price.cachedInput ?? price.input;
      return ((input - cacheRead) * price.input + cacheRead * cachedRate + output * price.output) / 1e6;
    }
  }
  const entry = tableEntry(usage.provider, model);
  if (entry === null) return null;
  const p = entry.price;
  const inputRate = rate(p.input, input);
  return (
    ((input - cacheRead - cacheWrite) * inputRate +
      cacheRead * (p.cacheRead === null ? inputRate : rate(p.cacheRead, input)) +
      cacheWrite * (p.cacheWrite === null ? inputRate : rate(p.cacheWrite, input)) +
      output * rate(p.output, input)) /
      1e6 +
    p.perRequest
  );
}

// ---- overrides -------------------------------------------------------------------------------

const preparedOverrides = new WeakMap<Record<string, ModelPrice>, Map<string, ModelPrice>>();

/** Exact model name first, then case-insensitively (providers differ in capitalisation). */
function overrideFor(overrides: Record<string, ModelPrice>, model: string): ModelPrice | undefined {
  const exact = overrides[model];
  if (exact !== undefined) return exact;
  let lower = preparedOverrides.get(overrides);
  if (lower === undefined) {
    lower = new Map(Object.entries(overrides).map(([name, price]) => [name.toLowerCase(), price]));
    preparedOverrides.set(overrides, lower);
  }
  return lower.get(model.toLowerCase());
}

// ---- price table -----------------------------------------------------------------------------

/** A rate in USD per million tokens: flat, or tiered by the call's total input tokens. */
type Rate = number | { base: number; tiers: { start: number; price: number }[] };

interface TablePrice {
  input: Rate;
  output: Rate;
  cacheRead: Rate | null;
  cacheWrite: Rate | null;
  /** Fixed USD per call (`requests_kcount`), 0 for most models. */
  perRequest: number;
}

interface TableEntry {
  price: TablePrice;
  /** Prices that depend on the date or time of day are looked up again after this (epoch ms). */
  expiresAt: number;
}

// Provider names as the conventions spell them → genai-prices provider ids, where its own matching
// (`provider_match`) does not already recognise them.
const PROVIDER_ALIASES: Record<string, string> = {
  x_ai: 'x-ai',
  'aws.bedrock': 'aws',
  'amazon-bedrock': 'aws',
  amazon: 'aws',
  'azure.ai.openai': 'azure',
  'azure.ai.inference': 'azure',
  'azure-openai': 'azure',
  'gcp.gen_ai': 'google',
  'gcp.gemini': 'google',
  'gcp.vertex_ai': 'google',
  'google-vertex': 'google',
  vertex: 'google',
  mistral_ai: 'mistral',
  togetherai: 'together',
  // Routers name models `provider/model` and bill the provider's list price; genai-prices resolves
  // that form under its `litellm` id.
  gateway: 'litellm',
  litellm: 'litellm',
};

const CONDITIONAL_PRICE_TTL_MS = 60_000;
/** Model names come from clients: bound the cache so arbitrary names cannot grow it without limit. */
const MAX_CACHED_MODELS = 4096;
const table = new Map<string, TableEntry | null>();

function tableEntry(provider: string | null, model: string): TableEntry | null {
  const key = provider === null ? model : `${provider}\u0000${model}`;
  const cached = table.get(key);
  if (cached !== undefined && (cached === null || cached.expiresAt > Date.now())) return cached;
  if (table.size >= MAX_CACHED_MODELS) table.clear();
  const entry = lookUp(provider, model);
  table.set(key, entry);
  return entry;
}

function lookUp(provider: string | null, model: string): TableEntry | null {
  let providerId: string | undefined;
  if (provider !== null) {
    const lower = provider.toLowerCase();
    providerId = PROVIDER_ALIASES[lower] ?? lower;
    if (providerId !== 'litellm' && findProvider({ providerId }) === undefined) return null;
  }
  let found;
  try {
    found = calcPrice({ input_tokens: 0, output_tokens: 0 }, model, providerId === undefined ? undefined : { providerId });
  } catch {
    return null;
  }
  if (found === null) return null;
  const prices = found.model_price;
  const input = toRate(prices.input_mtok) ?? 0;
  const price: TablePrice = {
    input,
    output: toRate(prices.output_mtok) ?? 0,
    cacheRead: toRate(prices.cache_read_mtok),
    cacheWrite: toRate(prices.cache_write_mtok),
    perRequest: (typeof prices.requests_kcount === 'number' ? prices.requests_kcount : 0) / 1000,
  };
  const conditional = Array.isArray(found.model.prices);
  return { price, expiresAt: conditional ? Date.now() + CONDITIONAL_PRICE_TTL_MS : Number.POSITIVE_INFINITY };
}

function toRate(value: unknown): Rate | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && 'base' in value && 'tiers' in value) {
    const { base, tiers } = value as { base: number; tiers: { start: number; price: number }[] };
    return { base, tiers: [...tiers].sort((x, y) => x.start - y.start) };
  }
  return null;
}

/** The rate that applies: a tier applies to the whole call once its input passes the tier's start. */
function rate(value: Rate, totalInputTokens: number): number {
  if (typeof value === 'number') return value;
  let price = value.base;
  for (const tier of value.tiers) if (totalInputTokens > tier.start) price = tier.price;
  return price;
}
