// wrapAnthropic(client): every `messages.create` call becomes an llm span of the current run.
import type { LlmRequest } from '../run.ts';
import { wrapClientMethods } from './wrap.ts';

export interface WrapAnthropicOptions {
  /** `gen_ai.provider.name`; `anthropic` by default (e.g. `aws.bedrock`). */
  provider?: string;
}

/** Returns `client` with `messages.create` traced; the client's own type is kept. */
export function wrapAnthropic<C extends object>(client: C, options: WrapAnthropicOptions = {}): C {
  const provider = options.provider ?? 'anthropic';
  return wrapClientMethods(client, {
    'messages.create': (args) => {
      const params = args[0] as Record<string, unknown> | undefined;
      if (!params || typeof params !== 'object' || typeof params.model !== 'string') return null;
      const request: LlmRequest = { model: params.model, provider, messages: params.messages };
      if (params.system !== undefined) request.system = params.system;
      if (typeof params.temperature === 'number') request.temperature = params.temperature;
      if (typeof params.max_tokens === 'number') request.maxTokens = params.max_tokens;
      return request;
    },
  });
}
