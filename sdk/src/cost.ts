// Price of an llm call for the maxCostUsd budget, from the shared price table in @runlens/schema.
// The SDK never sends this estimate as `runlens.cost.usd`: the collector prices calls itself
// (with its own overrides); only a cost the agent states explicitly is sent.
import { costOf } from '@runlens/schema';

export interface CallUsage {
  model: string;
  provider: string | null;
  inputTokens: number | null;
  outputTokens: number | null;
  cachedTokens: number | null;
  cacheWriteTokens: number | null;
}

/** USD cost from the price table, or null for an unknown model or missing usage. */
export function priceOfCall(usage: CallUsage): number | null {
  try {
    return costOf(usage);
  } catch {
    return null; // a price-table problem must not break the agent's call
  }
}
