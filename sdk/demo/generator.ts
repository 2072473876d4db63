// A simulated customer-support agent, instrumented with @runlens/sdk: fake OpenAI and Anthropic
// clients (wrapped like real ones) with realistic latencies and token counts, tools that sometimes
// fail, approvals, escalations, budget stops, and two prompt versions with different success
// rates. Used by `npm run demo` (real time) and by the benchmarks (virtual time: no sleeps, yet
// realistic timestamps, about a dozen spans a run).
import { JsonTraceSerializer } from '@opentelemetry/otlp-transformer';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-node';
import { RunlensClient } from '../src/client.ts';
import type { Clock, InitOptions } from '../src/config.ts';
import { BudgetExceededError } from '../src/errors.ts';
import type { AgentRun } from '../src/run.ts';
import { wrapAnthropic } from '../src/wrappers/anthropic.ts';
import { wrapOpenAI } from '../src/wrappers/openai.ts';

// ---- time and randomness -----------------------------------------------------------------------

/** A clock the simulation can wait on: real time for the demo, virtual time for benchmarks. */
export interface DemoClock extends Clock {
  sleep(ms: number): Promise<void>;
}

export const realClock: DemoClock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
};

/** Time that moves only when slept on: runs take microseconds, spans still last seconds. */
export class VirtualClock implements DemoClock {
  #now: number;
  constructor(start = Date.now()) {
    this.#now = start;
  }
  now(): number {
    return this.#now;
  }
  set(time: number): void {
    this.#now = time;
  }
  sleep(ms: number): Promise<void> {
    this.#now += ms;
    return Promise.resolve();
  }
}

export type Random = () => number;

/** mulberry32: small, fast, seeded, good enough for traffic. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const between = (random: Random, low: number, high: number): number => Math.round(low + random() * (high - low));

// ---- the agent's world ---------------------------------------------------------------------------

export type PromptVersion = 'v1' | 'v2';

const SYSTEM_PROMPT_V1 = [
  'You are the customer support agent of Acme Outdoor, an online shop for camping and hiking gear.',
  'Answer in the language of the customer. Be concise, friendly and precise.',
  'You can look up orders, check the refund policy, issue refunds, and send e-mails to customers.',
  'Refunds above 100 USD need the approval of a team lead. Never promise what the tools did not confirm.',
  'If the customer asks for a human, or you are not sure, escalate the conversation.',
  'Policies: items can be returned within 30 days of delivery if unused; shipping costs are refunded only for defective items;',
  'orders that have not shipped can be cancelled without cost; custom-made items cannot be returned.',
].join('\n');
const SYSTEM_PROMPT_V2 = `${SYSTEM_PROMPT_V1}\nBefore any refund, always look up the order and check the refund policy for its items. Confirm the amount with the customer in your final answer.`;
// A long prompt, sent on every call as real agents do (the collector stores it once).
const SYSTEM_PROMPTS: Record<PromptVersion, string> = {
  v1: `${SYSTEM_PROMPT_V1}\n\n${'Style guide: short paragraphs, no jargon, one apology at most, always give the next step. '.repeat(30)}`,
  v2: `${SYSTEM_PROMPT_V2}\n\n${'Style guide: short paragraphs, no jargon, one apology at most, always give the next step. '.repeat(30)}`,
};

const CUSTOMER_MESSAGES = [
  'Hi, where is my order {order}? It was supposed to arrive yesterday.',
  'I want a refund for order {order}, the tent arrived torn.',
  'Can you cancel order {order}? I ordered the wrong size.',
  'My order {order} is missing the sleeping bag. Please send it or refund me.',
  'Please refund order {order} to my card 4111 1111 1111 1111, and email me at jane.doe@example.com.',
  'The stove from order {order} does not work. Call me back on +1 415 555 0132.',
  'I need to talk to a human about order {order}. This is the third time I write.',
] as const;

const MODELS = [
  { model: 'gpt-4o-mini', responseModel: 'gpt-4o-mini-2024-07-18', provider: 'openai', tokensPerSecond: 90, firstTokenMs: 350 },
  { model: 'gpt-4o', responseModel: 'gpt-4o-2024-08-06', provider: 'openai', tokensPerSecond: 60, firstTokenMs: 500 },
  { model: 'claude-sonnet-4-20250514', responseModel: 'claude-sonnet-4-20250514', provider: 'anthropic', tokensPerSecond: 55, firstTokenMs: 700 },
] as const;
type ModelInfo = (typeof MODELS)[number];

/** How often each prompt version's tools fail or its runs go astray: v2 is the better prompt. */
const BEHAVIOUR: Record<PromptVersion, { toolFailure: number; loop: number; escalate: number; giveUp: number }> = {
  v1: { toolFailure: 0.12, loop: 0.08, escalate: 0.1, giveUp: 0.5 },
  v2: { toolFailure: 0.05, loop: 0.02, escalate: 0.07, giveUp: 0.2 },
};

/** About 4 characters a token, as for English text. */
const tokensOf = (text: string): number => Math.ceil(text.length / 4);

class ToolError extends Error {
  constructor(
    override readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

// ---- fake provider clients, shaped like the real SDKs ------------------------------------------------

interface PlannedTurn {
  /** The tool the model asks for, or null for the final answer. */
  tool: { name: string; arguments: Record<string, unknown> } | null;
  text: string;
}

/** Fake llm: sleeps a realistic latency and answers in the provider's response shape. */
function fakeProviderClient(info: ModelInfo, clock: DemoClock, random: Random, systemTokens: number) {
  let callIndex = 0;
  const respond = async (params: { messages: unknown[]; turn: PlannedTurn }) => {
    const history = JSON.stringify(params.messages);
    const inputTokens = systemTokens + tokensOf(history);
    const outputTokens = params.turn.tool ? between(random, 18, 60) : between(random, 60, 260);
    // Prompt caching: every call after the first re-reads the system prompt from cache.
    const cached = callIndex++ > 0 ? Math.floor(systemTokens / 128) * 128 : 0;
    await clock.sleep(info.firstTokenMs * (0.7 + random() * 0.8) + (outputTokens / info.tokensPerSecond) * 1000);
    const id = Math.floor(random() * 1e12).toString(36);
    if (info.provider === 'anthropic') {
      const content: unknown[] = [{ type: 'text', text: params.turn.text }];
      if (params.turn.tool) content.push({ type: 'tool_use', id: `toolu_${id}`, name: params.turn.tool.name, input: params.turn.tool.arguments });
      return {
        id: `msg_${id}`,
        type: 'message',
        role: 'assistant',
        model: info.responseModel,
        content,
        stop_reason: params.turn.tool ? 'tool_use' : 'end_turn',
        usage: { input_tokens: inputTokens - cached, cache_read_input_tokens: cached, cache_creation_input_tokens: 0, output_tokens: outputTokens },
      };
    }
    return {
      id: `chatcmpl-${id}`,
      object: 'chat.completion',
      model: info.responseModel,
      choices: [
        {
          index: 0,
          finish_reason: params.turn.tool ? 'tool_calls' : 'stop',
          message: {
            role: 'assistant',
            content: params.turn.tool ? null : params.turn.text,
            tool_calls: params.turn.tool
              ? [{ id: `call_${id}`, type: 'function', function: { name: params.turn.tool.name, arguments: JSON.stringify(params.turn.tool.arguments) } }]
              : undefined,
          },
        },
      ],
      usage: { prompt_tokens: inputTokens, completion_tokens: outputTokens, prompt_tokens_details: { cached_tokens: cached } },
    };
  };
  // Real clients take the API's params; the fake also takes the turn it should play.
  const create = (params: Record<string, unknown>) => respond(params as unknown as { messages: unknown[]; turn: PlannedTurn });
  return info.provider === 'anthropic'
    ? wrapAnthropic({ messages: { create } })
    : wrapOpenAI({ chat: { completions: { create } } });
}

// ---- one run -------------------------------------------------------------------------------------

export type DemoOutcome = 'success' | 'failure' | 'escalated' | 'budget_exceeded';

export interface SupportRunOptions {
  random: Random;
  clock: DemoClock;
  promptVersion?: PromptVersion;
  userId?: string;
  sessionId?: string;
}

export interface SupportRunResult {
  outcome: DemoOutcome;
  promptVersion: PromptVersion;
  model: string;
}

/** One customer conversation through the agent. Never throws: the outcome says how it went. */
export async function simulateSupportRun(client: RunlensClient, options: SupportRunOptions): Promise<SupportRunResult> {
  const { random, clock } = options;
  const promptVersion = options.promptVersion ?? (random() < 0.5 ? 'v1' : 'v2');
  const behaviour = BEHAVIOUR[promptVersion];
  const info = pick(random, MODELS);
  const order = `A-${between(random, 10000, 99999)}`;
  const message = pick(random, CUSTOMER_MESSAGES).replace('{order}', order);
  const userId = options.userId ?? `user_${between(random, 1, 40)}`;
  const sessionId = options.sessionId ?? `sess_${Math.floor(random() * 1e9).toString(36)}`;
  const system = SYSTEM_PROMPTS[promptVersion];
  const llmClient = fakeProviderClient(info, clock, random, tokensOf(system));
  const wantsHuman = message.includes('human');
  const wantsRefund = /refund|missing|torn|does not work/.test(message);
  const amount = between(random, 20, 400);

  const plan: PlannedTurn[] = [
    { tool: { name: 'get_customer', arguments: { userId } }, text: 'Let me find your account.' },
    { tool: { name: 'lookup_order', arguments: { orderId: order } }, text: 'Let me look up your order.' },
  ];
  if (random() < behaviour.loop) {
    // A confused model that keeps looking the order up until the tool-call budget stops it.
    for (let i = 0; i < 8; i++) plan.push({ tool: { name: 'lookup_order', arguments: { orderId: order, retry: i + 1 } }, text: 'Checking again.' });
  }
  plan.push({ tool: { name: 'search_kb', arguments: { query: wantsRefund ? 'refund damaged item' : 'delivery delay' } }, text: 'Checking our help center.' });
  if (wantsRefund) {
    if (promptVersion === 'v2' || random() < 0.5) plan.push({ tool: { name: 'check_refund_policy', arguments: { orderId: order } }, text: 'Checking the policy.' });
    plan.push({ tool: { name: 'refund', arguments: { orderId: order, amountUsd: amount } }, text: 'Issuing the refund.' });
  }
  plan.push({ tool: { name: 'send_email', arguments: { orderId: order, template: wantsRefund ? 'refund_confirmation' : 'order_status' } }, text: 'Sending a confirmation.' });
  plan.push({ tool: null, text: wantsRefund ? `Your refund of $${amount} for order ${order} is on its way.` : `Order ${order} is in transit and arrives tomorrow.` });

  const tools: Record<string, (args: Record<string, unknown>, run: AgentRun) => Promise<unknown>> = {
    get_customer: async (args) => {
      await clock.sleep(between(random, 30, 150));
      return { userId: args.userId, tier: pick(random, ['standard', 'gold']), ordersLastYear: between(random, 1, 12) };
    },
    search_kb: async (args) => {
      await clock.sleep(between(random, 120, 600));
      return { query: args.query, articles: [{ id: 'kb-112', title: 'Returns and refunds' }, { id: 'kb-87', title: 'Delivery times' }] };
    },
    lookup_order: async (args) => {
      await clock.sleep(between(random, 40, 300));
      if (random() < behaviour.toolFailure) throw new ToolError('TimeoutError', 'orders database did not answer within 2000 ms');
      return { orderId: args.orderId, status: pick(random, ['shipped', 'delivered', 'processing']), items: ['tent', 'sleeping bag'], totalUsd: amount };
    },
    check_refund_policy: async () => {
      await clock.sleep(between(random, 20, 120));
      return { refundable: random() > 0.1, reason: 'within 30 days' };
    },
    refund: async (args, run) => {
      if (amount > 100) {
        await clock.sleep(between(random, 1500, 8000)); // a human approves
        const decision = random() < 0.85 ? 'approved' : 'rejected';
        run.approval('refund', { approver: pick(random, ['lead.maria', 'lead.tom']), decision });
        if (decision === 'rejected') throw new ToolError('ApprovalRejected', `refund of $${amount} rejected by the team lead`);
      }
      await clock.sleep(between(random, 150, 900));
      if (random() < behaviour.toolFailure) throw new ToolError('PaymentGatewayError', 'payment gateway answered 502');
      return { refundId: `rf_${Math.floor(random() * 1e8)}`, amountUsd: args.amountUsd };
    },
    send_email: async () => {
      await clock.sleep(between(random, 80, 400));
      if (random() < behaviour.toolFailure / 2) throw new ToolError('SmtpError', 'mail server refused the connection');
      return { delivered: true };
    },
  };

  let escalated = false;
  const escalate = (run: AgentRun, reason: string): void => {
    escalated = true;
    run.escalate(reason);
  };
  try {
    await client.run(
      'support-agent',
      {
        userId,
        sessionId,
        input: message,
        metadata: { channel: pick(random, ['chat', 'email', 'web']), order },
        versions: { prompt: promptVersion },
        budgets: { maxToolCalls: 8, maxTokens: 60_000, maxCostUsd: 0.5 },
      },
      async (run) => {
        const messages: unknown[] = [{ role: 'user', content: message }];
        if (wantsHuman && random() < 0.8) {
          escalate(run, 'customer asked for a human');
          return 'I have passed your conversation to a colleague.';
        }
        for (const turn of plan) {
          const response = await callModel(llmClient, info, system, messages, turn);
          if (!turn.tool) return turn.text;
          messages.push({ role: 'assistant', content: JSON.stringify(turn.tool) }, response);
          try {
            const result = await run.tool(turn.tool.name, turn.tool.arguments, (args) => tools[turn.tool!.name]!(args, run));
            messages.push({ role: 'tool', tool_call_id: 'call', content: JSON.stringify(result) });
          } catch (error) {
            if (error instanceof BudgetExceededError) throw error;
            // A failed tool: the agent sometimes gives up, sometimes escalates, otherwise carries on.
            if (random() < behaviour.giveUp) throw error;
            if (random() < behaviour.escalate * 3) {
              escalate(run, `tool ${turn.tool.name} failed: ${(error as Error).message}`);
              return 'A colleague will get back to you shortly.';
            }
            messages.push({ role: 'tool', tool_call_id: 'call', content: `error: ${(error as Error).message}` });
          }
        }
        return 'Done.';
      },
    );
    return { outcome: escalated ? 'escalated' : 'success', promptVersion, model: info.model };
  } catch (error) {
    return { outcome: error instanceof BudgetExceededError ? 'budget_exceeded' : 'failure', promptVersion, model: info.model };
  }
}

async function callModel(llmClient: ReturnType<typeof fakeProviderClient>, info: ModelInfo, system: string, messages: unknown[], turn: PlannedTurn) {
  if ('messages' in llmClient) {
    return llmClient.messages.create({ model: info.model, max_tokens: 1024, system, messages, turn });
  }
  return llmClient.chat.completions.create({ model: info.model, messages: [{ role: 'system', content: system }, ...messages], turn });
}

// ---- batches of runs for benchmarks --------------------------------------------------------------

export interface GenerateRunsOptions {
  runs: number;
  seed?: number;
  /** Epoch ms of the first run; runs start `spacingMs` apart. Default: `runs × spacingMs` ago. */
  startTime?: number;
  spacingMs?: number;
  /** Extra client options (e.g. `captureContent: false`). */
  client?: Partial<InitOptions>;
}

/**
 * Generates `runs` finished runs in virtual time (no sleeping): realistic span timestamps and
 * durations, about a dozen spans a run. Returns the spans as OpenTelemetry ReadableSpans.
 */
export async function generateRunSpans(options: GenerateRunsOptions): Promise<ReadableSpan[]> {
  const spacing = options.spacingMs ?? 2000;
  const start = options.startTime ?? Date.now() - options.runs * spacing;
  const clock = new VirtualClock(start);
  const exporter = new InMemorySpanExporter();
  const client = new RunlensClient({
    service: 'support-agent',
    versions: { app: '2.3.0', policy: 'p1' },
    maxQueueSize: Math.max(2048, options.runs * 40),
    flushOnExit: false,
    ...options.client,
    exporter,
    clock,
  });
  const random = seededRandom(options.seed ?? 42);
  for (let i = 0; i < options.runs; i++) {
    clock.set(start + i * spacing);
    await simulateSupportRun(client, { random, clock });
  }
  await client.forceFlush();
  // Read before shutdown: the in-memory exporter forgets its spans when shut down.
  const spans = exporter.getFinishedSpans();
  await client.shutdown();
  return spans;
}

/** OTLP/JSON `ExportTraceServiceRequest` bodies for `spans`, `spansPerRequest` spans each. */
export function toOtlpJsonRequests(spans: ReadableSpan[], spansPerRequest = 512): Uint8Array[] {
  const bodies: Uint8Array[] = [];
  for (let i = 0; i < spans.length; i += spansPerRequest) {
    const body = JsonTraceSerializer.serializeRequest(spans.slice(i, i + spansPerRequest));
    if (body) bodies.push(body);
  }
  return bodies;
}
