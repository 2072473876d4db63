// Small helpers shared by the security tests: OTLP/JSON bodies, authorised requests, tokens made
// with the real CLI.
import { randomBytes } from 'node:crypto';
import { runCli } from '../helpers/collector.ts';

export interface RunBodyOptions {
  service?: string;
  /** Tool result text of the run's tool span. */
  toolResult?: string;
  question?: string;
  /** Distinguishes runs (goes into token counts and arguments). */
  n?: number;
}

const attr = (key: string, value: string | number) => ({ key, value: typeof value === 'number' ? { intValue: String(value) } : { stringValue: value } });

/** One run of three spans (root, llm, tool) with fresh ids, as an OTLP/JSON body. */
export function runBody(options: RunBodyOptions = {}): { traceId: string; body: string; spans: number } {
  const { service = 'security-test', toolResult = '{"ok":true}', question = 'What is the weather?', n = 0 } = options;
  const traceId = randomBytes(16).toString('hex');
  const [root, llm, tool] = [0, 1, 2].map(() => randomBytes(8).toString('hex'));
  const t0 = BigInt(Date.now() - 10_000) * 1_000_000n;
  const at = (ms: number) => String(t0 + BigInt(ms) * 1_000_000n);
  const spans = [
    { traceId, spanId: root, name: 'invoke_agent helper', kind: 1, startTimeUnixNano: at(0), endTimeUnixNano: at(900), attributes: [attr('gen_ai.operation.name', 'invoke_agent'), attr('gen_ai.agent.name', 'helper')] },
    {
      traceId, spanId: llm, parentSpanId: root, name: 'chat gpt-4o', kind: 3, startTimeUnixNano: at(10), endTimeUnixNano: at(500),
      attributes: [
        attr('gen_ai.operation.name', 'chat'), attr('gen_ai.request.model', 'gpt-4o'), attr('gen_ai.usage.input_tokens', 100 + n), attr('gen_ai.usage.output_tokens', 7),
        attr('gen_ai.input.messages', JSON.stringify([{ role: 'user', parts: [{ type: 'text', content: question }] }])),
      ],
    },
    {
      traceId, spanId: tool, parentSpanId: root, name: 'execute_tool fetch', kind: 1, startTimeUnixNano: at(510), endTimeUnixNano: at(890),
      attributes: [attr('gen_ai.operation.name', 'execute_tool'), attr('gen_ai.tool.name', 'fetch'), attr('gen_ai.tool.call.arguments', `{"n":${n}}`), attr('gen_ai.tool.call.result', toolResult)],
    },
  ];
  return { traceId, spans: spans.length, body: JSON.stringify({ resourceSpans: [{ resource: { attributes: [attr('service.name', service)] }, scopeSpans: [{ scope: { name: 'raw' }, spans }] }] }) };
}

export function bearer(token: string | undefined): Record<string, string> {
  return token === undefined ? {} : { Authorization: `Bearer ${token}` };
}

/** POSTs an OTLP/JSON export; resolves with the status, headers and parsed body. */
export async function postTraces(url: string, body: string, token?: string): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const response = await fetch(`${url}/v1/traces`, { method: 'POST', headers: { 'Content-Type': 'application/json', ...bearer(token) }, body });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
}

/** GET with an optional token; the body parsed as JSON when it is. */
export async function get(url: string, path: string, token?: string): Promise<{ status: number; body: any; headers: Headers }> {
  const response = await fetch(url + path, { headers: bearer(token) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // the event stream or a page: keep the text
  }
  return { status: response.status, body, headers: response.headers };
}

/** Runs `runlens <args> --db <db>` and returns the token it printed on stdout. */
export async function cliToken(db: string, args: string[]): Promise<string> {
  const result = await runCli([...args, '--db', db]);
  if (result.code !== 0) throw new Error(`runlens ${args.join(' ')} failed (${result.code}): ${result.stderr}`);
  return result.stdout.trim();
}

/** Id of a token (`rl?_<id>_<secret>`). */
export function tokenId(token: string): string {
  return token.split('_')[1]!;
}
