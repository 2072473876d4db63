// wrapOpenAI(client): every `chat.completions.create` and `responses.create` call becomes an llm
// span of the current run. Usage and output are read from the response by response-shapes.ts.
import type { LlmRequest } from '../run.ts';
import { wrapClientMethods } from './wrap.ts';

type Params = Record<string, unknown>;
const paramsOf = (args: unknown[]): Params | null => {
  const first = args[0];
  return typeof first === 'object' && first !== null ? (first as Params) : null;
};
const num = (value: unknown): number | undefined => (typeof value === 'number' ? value : undefined);

export interface WrapOpenAIOptions {
  /** `gen_ai.provider.name`; `openai` by default (e.g. `azure.ai.openai` for Azure). */
  provider?: string;
}

function describeChat(provider: string) {
  return (args: unknown[]): LlmRequest | null => {
    const params = paramsOf(args);
    if (!params || typeof params.model !== 'string') return null;
    const request: LlmRequest = { model: params.model, provider, messages: params.messages };
    const temperature = num(params.temperature);
    if (temperature !== undefined) request.temperature = temperature;
    const maxTokens = num(params.max_completion_tokens) ?? num(params.max_tokens);
    if (maxTokens !== undefined) request.maxTokens = maxTokens;
    return request;
  };
}

function describeResponses(provider: string) {
  return (args: unknown[]): LlmRequest | null => {
    const params = paramsOf(args);
    if (!params || typeof params.model !== 'string') return null;
    const request: LlmRequest = { model: params.model, provider, messages: params.input };
    if (params.instructions !== undefined && params.instructions !== null) request.system = params.instructions;
    const temperature = num(params.temperature);
    if (temperature !== undefined) request.temperature = temperature;
    const maxTokens = num(params.max_output_tokens);
    if (maxTokens !== undefined) request.maxTokens = maxTokens;
    return request;
  };
}

/** Returns `client` with its completion methods traced; the client's own type is kept. */
export function wrapOpenAI<C extends object>(client: C, options: WrapOpenAIOptions = {}): C {
  const provider = options.provider ?? 'openai';
  return wrapClientMethods(client, {
    'chat.completions.create': describeChat(provider),
    'responses.create': describeResponses(provider),
  });
}
