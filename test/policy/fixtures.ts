// Policies and helpers shared by the tool-policy tests (issue 10).
import type { TraceDetail } from '@runlens/schema';
import { getOk } from '../helpers/api.ts';

/** The example policy, with a draft-only identity and a short-expiry approval rule added. */
export function examplePolicy(version = '3', expiresAfter = '24h'): string {
  return `version: "${version}"
default: deny
approvers:
  finance: [alice, carol]
tools:
  lookup_order: { hints: { readOnly: true } }
  refund: { hints: { destructive: true }, scopes: [payments:write] }
  send_email: { hints: { destructive: false, openWorld: true } }
  http_get: { hints: { readOnly: true }, http: true }
identities:
  support-agent:
    autonomy: write
    allow:
      - tool: lookup_order
      - tool: refund
      - tool: send_email
      - tool: http_get
        endpoint: { host: api.shop.example, methods: [GET], paths: ["/orders/*"] }
    deny:
      - tool: "delete_*"
    approval:
      - match: { tool: refund }
        when: { path: amount, gt: 100 }
        approvers: [finance]
        separationOfDuties: true
        expiresAfter: ${expiresAfter}
  drafting-agent:
    autonomy: draft-only
    allow:
      - tool: lookup_order
      - tool: send_email
`;
}

/** Waits until the collector has the run with its tool spans (spans are exported in batches). */
export async function waitForTrace(url: string, traceId: string, done: (trace: TraceDetail) => boolean = () => true, timeoutMs = 10_000): Promise<TraceDetail> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const trace = await getOk<TraceDetail>(url, `/api/runs/${traceId}`);
      if (trace.run.outcome !== 'running' && done(trace)) return trace;
      last = trace;
    } catch (error) {
      last = error;
    }
    if (Date.now() > deadline) throw new Error(`trace ${traceId} not complete within ${timeoutMs} ms: ${JSON.stringify(last)?.slice(0, 500)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function postJson<T = unknown>(url: string, path: string, body: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> {
  const response = await fetch(url + path, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  return { status: response.status, body: (await response.json()) as T };
}

/** Polls until `check` returns a value (not undefined). */
export async function eventually<T>(check: () => Promise<T | undefined>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
