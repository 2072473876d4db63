import { calcPrice, findProvider } from '@pydantic/genai-prices';
import { describe, expect, it } from 'vitest';
import { costOf, type TokenUsage } from './cost.ts';

function usage(fields: Partial<TokenUsage>): TokenUsage {
  return { model: 'gpt-4o', provider: 'openai', inputTokens: 1000, outputTokens: 100, cachedTokens: null, ...fields };
}

describe('costOf', () => {
  it('prices a known model from the bundled price table', () => {
    // gpt-4o: $2.50 input, $10 output per million tokens.
    expect(costOf(usage({}))).toBeCloseTo((1000 * 2.5 + 100 * 10) / 1e6, 12);
  });

  it('prices cached input tokens at the cache-read rate, as part of the input tokens', () => {
    expect(costOf(usage({ cachedTokens: 800 }))).toBeCloseTo((200 * 2.5 + 800 * 1.25 + 100 * 10) / 1e6, 12);
  });

  it('prices cache writes at their own rate when the model has one', () => {
    const cost = costOf(usage({ model: 'claude-sonnet-4-20250514', provider: 'anthropic', inputTokens: 2000, outputTokens: 0, cachedTokens: 1000, cacheWriteTokens: 500 }));
    expect(cost).toBeCloseTo((500 * 3 + 1000 * 0.3 + 500 * 3.75) / 1e6, 12);
  });

  it('applies a tiered price to the whole call once its input passes the tier', () => {
    // gemini-2.5-pro: $1.25 / $10 up to 200k input tokens, $2.50 / $15 above.
    const small = costOf(usage({ model: 'gemini-2.5-pro', provider: 'google', inputTokens: 100_000, outputTokens: 1000 }));
    const large = costOf(usage({ model: 'gemini-2.5-pro', provider: 'google', inputTokens: 300_000, outputTokens: 1000 }));
    expect(small).toBeCloseTo((100_000 * 1.25 + 1000 * 10) / 1e6, 12);
    expect(large).toBeCloseTo((300_000 * 2.5 + 1000 * 15) / 1e6, 12);
  });

  it('finds the provider from the model name when none is given', () => {
    expect(costOf(usage({ provider: null }))).toBeCloseTo((1000 * 2.5 + 100 * 10) / 1e6, 12);
  });

  it.each(['aws.bedrock', 'gcp.vertex_ai', 'x_ai', 'OpenAI', 'mistral_ai'])('understands the provider name %s', (provider) => {
    const models: Record<string, string> = {
      'aws.bedrock': 'anthropic.claude-3-5-sonnet-20240620-v1:0',
      'gcp.vertex_ai': 'gemini-2.5-flash',
      x_ai: 'grok-3',
      OpenAI: 'gpt-4o-mini',
      mistral_ai: 'mistral-large-latest',
    };
    expect(costOf(usage({ provider, model: models[provider]! }))).toBeGreaterThan(0);
  });

  it('prices a router`s provider/model names at the provider`s list price', () => {
    expect(costOf(usage({ provider: 'gateway', model: 'openai/gpt-4o' }))).toBeCloseTo((1000 * 2.5 + 100 * 10) / 1e6, 12);
  });

  it('uses an override over the price table, matching the model name case-insensitively', () => {
    const overrides = { 'GPT-4o': { input: 1, output: 2, cachedInput: 0.5 } };
    expect(costOf(usage({ cachedTokens: 400 }), overrides)).toBeCloseTo((600 * 1 + 400 * 0.5 + 100 * 2) / 1e6, 12);
  });

  it('prices a model only the overrides know', () => {
    expect(costOf(usage({ model: 'acme-llm-7', provider: 'acme' }), { 'acme-llm-7': { input: 4, output: 8 } })).toBeCloseTo((1000 * 4 + 100 * 8) / 1e6, 12);
  });

  it('returns null for an unknown model, never a guess', () => {
    expect(costOf(usage({ model: 'acme-llm-7' }))).toBeNull();
    expect(costOf(usage({ model: 'acme-llm-7', provider: null }))).toBeNull();
  });

  it('returns null for a provider the table does not know, even for a known model name', () => {
    expect(costOf(usage({ model: 'llama3.1:8b', provider: 'ollama' }))).toBeNull();
    expect(costOf(usage({ provider: 'my-private-gateway' }))).toBeNull();
  });

  it('returns null without a model or without any token count', () => {
    expect(costOf(usage({ model: null }))).toBeNull();
    expect(costOf(usage({ inputTokens: null, outputTokens: null }))).toBeNull();
  });

  it('caps cached tokens at the input tokens instead of producing a negative charge', () => {
    expect(costOf(usage({ inputTokens: 100, cachedTokens: 500, outputTokens: 0 }))).toBeCloseTo((100 * 1.25) / 1e6, 12);
  });

  it('agrees with genai-prices` own calculation for every model of the major providers', () => {
    const providers = ['openai', 'anthropic', 'google', 'aws', 'azure', 'mistral', 'groq', 'deepseek', 'cohere', 'x-ai', 'together', 'fireworks'];
    const usages = [
      { input: 1200, cacheRead: 0, cacheWrite: 0, output: 300 },
      { input: 250_000, cacheRead: 100_000, cacheWrite: 20_000, output: 3000 },
    ];
    let compared = 0;
    for (const providerId of providers) {
      for (const model of findProvider({ providerId })!.models) {
        for (const u of usages) {
          let expected;
          try {
            expected = calcPrice({ input_tokens: u.input, cache_read_tokens: u.cacheRead, cache_write_tokens: u.cacheWrite, output_tokens: u.output }, model.id, { providerId });
          } catch {
            continue; // the table cannot price this usage shape for this model either
          }
          if (expected === null || expected.model.id !== model.id) continue;
          const actual = costOf({ model: model.id, provider: providerId, inputTokens: u.input, outputTokens: u.output, cachedTokens: u.cacheRead, cacheWriteTokens: u.cacheWrite });
          expect(actual, `${providerId}/${model.id}`).toBeCloseTo(expected.total_price, 9);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(500);
  });
});
