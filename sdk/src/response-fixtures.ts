// Response objects of the OpenAI and Anthropic APIs, for tests of the readers and the wrappers.
// Shapes copied from the providers' API references (trimmed to the fields that matter).
export const OPENAI_CHAT_TOOL_CALL = {
  id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
  object: 'chat.completion',
  created: 1741570283,
  model: 'gpt-4o-2024-08-06',
  choices: [
    {
      index: 0,
      message: {
        role: 'assistant',
        content: null,
        refusal: null,
        tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'lookup_order', arguments: '{"orderId":"A-1"}' } }],
      },
      finish_reason: 'tool_calls',
    },
  ],
  usage: {
    prompt_tokens: 1117,
    completion_tokens: 46,
    total_tokens: 1163,
    prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  },
};

export const OPENAI_RESPONSE = {
  id: 'resp_67ccd2bed1ec8190b14f964abc054267',
  object: 'response',
  status: 'completed',
  model: 'gpt-4.1-2025-04-14',
  output: [
    { type: 'reasoning', id: 'rs_1', summary: [{ type: 'summary_text', text: 'Checking the order.' }] },
    { type: 'message', id: 'msg_1', role: 'assistant', status: 'completed', content: [{ type: 'output_text', text: 'It shipped.', annotations: [] }] },
  ],
  usage: { input_tokens: 328, input_tokens_details: { cached_tokens: 128 }, output_tokens: 52, output_tokens_details: { reasoning_tokens: 20 }, total_tokens: 380 },
};

export const ANTHROPIC_MESSAGE = {
  id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-20250514',
  content: [
    { type: 'text', text: 'Let me check that order.' },
    { type: 'tool_use', id: 'toolu_01A09q90qw90lq917835lq9', name: 'lookup_order', input: { orderId: 'A-1' } },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: { input_tokens: 50, cache_creation_input_tokens: 200, cache_read_input_tokens: 1800, output_tokens: 70 },
};

