// Whole path: an agent instrumented with @runlens/sdk → OTLP/HTTP → a real collector process →
// SQLite → the read API.
import { readFileSync, existsSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import Database from 'better-sqlite3';
import type { TraceDetail } from '@runlens/schema';
import { BudgetExceededError, RunlensClient, wrapOpenAI } from '@runlens/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getJson, getOk } from '../helpers/api.ts';
import { startCollector, type RunningCollector } from '../helpers/collector.ts';

// Planted values are assembled at run time so that no secret scanner flags this file.
const join = (...parts: string[]): string => parts.join('');
const OPENAI_KEY = join('sk-', 'proj-', 'Qw3rTy7uIo9pAs2dFg4hJk6lZx8cVb1nM5');
const AWS_KEY = join('AKIA', 'Z7Q4W2E8R6T1Y3U5');
const CARD = '4111 1111 1111 1111';
const EMAIL = 'planted.customer@example.org';
const EMPLOYEE_ID = 'EMP-904417'; // only the SDK's custom rule knows this one
const PLANTED = [OPENAI_KEY, AWS_KEY, CARD, '4111111111111111', EMAIL, EMPLOYEE_ID];

let collector: RunningCollector;
let client: RunlensClient;

beforeAll(async () => {
  collector = await startCollector();
  client = new RunlensClient({
    service: 'support-agent',
    endpoint: collector.url,
    versions: { prompt: 'v2', policy: 'p7', app: '3.1.0' },
    redact: { custom: [{ name: 'employee_id', pattern: 'EMP-\\d{6}' }] },
    flushOnExit: false,
  });
});

afterAll(async () => {
  await client?.shutdown();
  await collector?.stop();
});

/** A fake OpenAI client: the real SDK's shape, answering with a real chat completion shape. */
function fakeOpenAI(promptTokens: number, completionTokens: number) {
  const calls: unknown[] = [];
  const client = {
    chat: {
      completions: {
        create: async (params: unknown) => {
          calls.push(params);
          return {
            id: `chatcmpl-${calls.length}`,
            object: 'chat.completion',
            model: 'gpt-4o-mini-2024-07-18',
            choices: [{ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Your order has shipped.' } }],
            usage: { prompt_tokens: promptTokens, completion_tokens: completionTokens, prompt_tokens_details: { cached_tokens: 0 } },
          };
        },
      },
    },
  };
  return { openai: wrapOpenAI(client), calls };
}

async function trace(traceId: string): Promise<TraceDetail> {
  await client.forceFlush(); // the collector answers only after the spans are committed
  return getOk<TraceDetail>(collector.url, `/api/runs/${traceId}`);
}

describe('SDK → collector', () => {
  it('a run appears with its user, session, versions, tokens, cost, tool calls and outcome', async () => {
    const { openai } = fakeOpenAI(1200, 80);
    let traceId = '';
    await client.run('support', { userId: 'u_42', sessionId: 'sess_9', input: 'Where is order A-1?' }, async (run) => {
      traceId = run.traceId;
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Where is order A-1?' }] });
      await run.tool('lookup_order', { orderId: 'A-1' }, async () => ({ status: 'shipped' }));
      await run.tool('send_email', { template: 'status' }, async () => {
        throw new Error('mail server refused the connection');
      }).catch(() => undefined);
      await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'summarise' }] });
      return 'It shipped.';
    });
    const { run, spans } = await trace(traceId);
    expect(run).toMatchObject({
      traceId,
      service: 'support-agent',
      agent: 'support',
      userId: 'u_42',
      sessionId: 'sess_9',
      versions: { prompt: 'v2', policy: 'p7', app: '3.1.0', model: 'gpt-4o-mini-2024-07-18' },
      outcome: 'success',
      llmCalls: 2,
      toolCalls: 2,
      toolErrors: 1,
      inputTokens: 2400,
      outputTokens: 160,
      spanCount: 5,
    });
    // gpt-4o-mini: $0.15 / M input, $0.60 / M output.
    expect(run.costUsd).toBeCloseTo((2400 * 0.15 + 160 * 0.6) / 1e6, 9);
    const tool = spans.find((span) => span.toolName === 'lookup_order');
    expect(tool).toMatchObject({ kind: 'tool', status: 'unset' });
    const failed = spans.find((span) => span.toolName === 'send_email');
    expect(failed).toMatchObject({ status: 'error', errorType: 'Error', statusMessage: 'mail server refused the connection' });
  });

  it('escalated and failed runs get their outcome', async () => {
    let escalatedId = '';
    await client.run('support', async (run) => {
      escalatedId = run.traceId;
      run.escalate('customer asked for a human');
    });
    let failedId = '';
    await client
      .run('support', async (run) => {
        failedId = run.traceId;
        throw new TypeError('cannot read order');
      })
      .catch(() => undefined);
    expect((await trace(escalatedId)).run).toMatchObject({ outcome: 'escalated', escalated: true });
    expect((await trace(failedId)).run.outcome).toBe('failure');
  });

  it('a budget stops the call that would pass it and marks the run', async () => {
    const { openai, calls } = fakeOpenAI(600, 50);
    let traceId = '';
    let caught: unknown;
    await client
      .run('support', { budgets: { maxTokens: 1500, maxToolCalls: 10 } }, async (run) => {
        traceId = run.traceId;
        for (let i = 0; i < 5; i++) await openai.chat.completions.create({ model: 'gpt-4o-mini', messages: [] });
      })
      .catch((error: unknown) => (caught = error));
    // 650 + 650 = 1300 tokens; the third answer takes the run to 1950 > 1500 and is withheld;
    // the fourth call never reaches the API.
    expect(calls).toHaveLength(3);
    expect(caught).toBeInstanceOf(BudgetExceededError);
    expect(caught).toMatchObject({ budget: 'maxTokens', limit: 1500, value: 1950 });
    const { run } = await trace(traceId);
    expect(run).toMatchObject({ outcome: 'budget_exceeded', budgetExceeded: true, llmCalls: 3 });

    let toolsRan = 0;
    let toolTraceId = '';
    await client
      .run('support', { budgets: { maxToolCalls: 2 } }, async (run) => {
        toolTraceId = run.traceId;
        for (let i = 0; i < 4; i++) await run.tool('lookup_order', { i }, async () => ++toolsRan);
      })
      .catch(() => undefined);
    expect(toolsRan).toBe(2);
    expect((await trace(toolTraceId)).run).toMatchObject({ outcome: 'budget_exceeded', budgetExceeded: true, toolCalls: 2 });
  });

  it('no planted secret reaches the database or the API', async () => {
    const { openai } = fakeOpenAI(100, 10);
    let traceId = '';
    await client
      .run(
        'support',
        { userId: 'u_secret', input: `my key is ${OPENAI_KEY}, mail me at ${EMAIL}`, metadata: { note: `badge ${EMPLOYEE_ID}` } },
        async (run) => {
          traceId = run.traceId;
          await openai.chat.completions.create({
            model: 'gpt-4o-mini',
            messages: [
              { role: 'system', content: `AWS creds: ${AWS_KEY}` },
              { role: 'user', content: `charge ${CARD} please, I am ${EMPLOYEE_ID}` },
            ],
          });
          await run.tool('refund', { card: CARD.replaceAll(' ', ''), email: EMAIL }, async () => ({ ok: true, echo: OPENAI_KEY }));
          throw new Error(`upstream rejected key ${OPENAI_KEY}`);
        },
      )
      .catch(() => undefined);
    const detail = await trace(traceId);
    expect(detail.run.policyViolations).toBeGreaterThanOrEqual(8);
    const apiText = JSON.stringify(detail);
    expect(apiText).toContain('[REDACTED:secret]');
    expect(apiText).toContain('[REDACTED:employee_id]');
    for (const secret of PLANTED) {
      expect(apiText, `API trace holds ${secret}`).not.toContain(secret);
      const search = await getJson<{ runs: unknown[] }>(collector.url, `/api/runs?q=${encodeURIComponent(secret)}`);
      expect(search.body.runs ?? [], `search finds ${secret}`).toEqual([]);
    }
    expect(findInDatabase(collector.dbPath, PLANTED)).toEqual([]);
    // Control: the search does find what was stored in the clear.
    expect(findInDatabase(collector.dbPath, ['u_secret', 'upstream rejected key'])).not.toEqual([]);
  });
});

/**
 * Every planted value found anywhere in the database: raw bytes of the file and its WAL, and
 * every text or blob cell (inflated when it is deflate-compressed).
 */
function findInDatabase(dbPath: string, needles: string[]): string[] {
  const found = new Set<string>();
  for (const file of [dbPath, `${dbPath}-wal`]) {
    if (!existsSync(file)) continue;
    const bytes = readFileSync(file);
    for (const needle of needles) if (bytes.includes(needle)) found.add(`${needle} in ${file}`);
  }
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as Array<{ name: string }>;
    for (const { name } of tables) {
      for (const row of db.prepare(`SELECT * FROM "${name.replaceAll('"', '""')}"`).iterate() as Iterable<Record<string, unknown>>) {
        for (const cell of Object.values(row)) {
          const texts: string[] = [];
          if (typeof cell === 'string') texts.push(cell);
          if (Buffer.isBuffer(cell)) {
            texts.push(cell.toString('utf8'));
            try {
              texts.push(inflateRawSync(cell).toString('utf8'));
            } catch {
              // not deflated
            }
          }
          for (const text of texts) for (const needle of needles) if (text.includes(needle)) found.add(`${needle} in table ${name}`);
        }
      }
    }
  } finally {
    db.close();
  }
  return [...found];
}
