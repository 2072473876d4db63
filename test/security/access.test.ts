// Who may write and read: ingest keys per service identity, user tokens with a role, the access
// log, the rate limit, redaction at the collector, the refusal to run open on a network address,
// and filters that stay data, never SQL.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli, startCollector, tempDbPath, type RunningCollector } from '../helpers/collector.ts';
import { cliToken, get, postTraces, runBody, tokenId } from './support.ts';

let collector: RunningCollector;
let db: string;
const tokens = { key: '', billingKey: '', revokedKey: '', viewer: '', admin: '', revokedUser: '' };
let traceId = '';

beforeAll(async () => {
  db = tempDbPath();
  tokens.key = await cliToken(db, ['keys', 'create', 'support-agent']);
  tokens.billingKey = await cliToken(db, ['keys', 'create', 'billing-agent', '--service', 'billing']);
  tokens.revokedKey = await cliToken(db, ['keys', 'create', 'old-agent']);
  tokens.viewer = await cliToken(db, ['users', 'create', 'vera', '--role', 'viewer']);
  tokens.admin = await cliToken(db, ['users', 'create', 'ada', '--role', 'admin']);
  tokens.revokedUser = await cliToken(db, ['users', 'create', 'gone', '--role', 'admin']);
  expect((await runCli(['keys', 'revoke', tokenId(tokens.revokedKey), '--db', db])).code).toBe(0);
  expect((await runCli(['users', 'revoke', tokenId(tokens.revokedUser), '--db', db])).code).toBe(0);
  collector = await startCollector({ db });
  const run = runBody({ question: 'Where is my order 1234?' });
  traceId = run.traceId;
  expect((await postTraces(collector.url, run.body, tokens.key)).status).toBe(200);
});

afterAll(async () => {
  await collector?.stop();
});

describe('ingest', () => {
  it('without a key is a 401 that says how to send one', async () => {
    const answer = await postTraces(collector.url, runBody().body);
    expect(answer.status).toBe(401);
    expect(answer.body.message).toMatch(/Authorization: Bearer/);
  });

  it('with a wrong, malformed or revoked key is a 401', async () => {
    const wrong = tokens.key.slice(0, -4) + 'AAAA';
    for (const token of [wrong, 'not-a-token', tokens.revokedKey]) {
      expect((await postTraces(collector.url, runBody().body, token)).status).toBe(401);
    }
    expect((await postTraces(collector.url, runBody().body, tokens.revokedKey)).body.message).toMatch(/revoked/);
  });

  it('with a user token is a 403: a read token cannot ingest', async () => {
    const answer = await postTraces(collector.url, runBody().body, tokens.admin);
    expect(answer.status).toBe(403);
    expect(answer.body.message).toMatch(/user token cannot send spans/);
  });

  it('stamps every span with the identity of its key, whatever the client claimed', async () => {
    const run = runBody();
    const spoofed = run.body.replace('"attributes":[', '"attributes":[{"key":"runlens.identity","value":{"stringValue":"someone-else"}},');
    expect((await postTraces(collector.url, spoofed, tokens.key)).status).toBe(200);
    const trace = await get(collector.url, `/api/runs/${run.traceId}`, tokens.viewer);
    expect(trace.status).toBe(200);
    expect(trace.body.spans).toHaveLength(3);
    for (const span of trace.body.spans) expect(span.attributes['runlens.identity']).toBe('support-agent');
  });

  it('with a key limited to a service rejects the spans of other services as a partial success', async () => {
    const own = await postTraces(collector.url, runBody({ service: 'billing' }).body, tokens.billingKey);
    expect(own.status).toBe(200);
    expect(own.body.partialSuccess).toBeUndefined();
    const other = runBody({ service: 'support' });
    const answer = await postTraces(collector.url, other.body, tokens.billingKey);
    expect(answer.status).toBe(200);
    expect(answer.body.partialSuccess).toMatchObject({ rejectedSpans: '3' });
    expect(String((answer.body.partialSuccess as { errorMessage: string }).errorMessage)).toMatch(/may only send spans of service 'billing'/);
    expect((await get(collector.url, `/api/runs/${other.traceId}`, tokens.viewer)).status).toBe(404);
  });
});

describe('redaction at the collector', () => {
  it('removes secrets and personal data before storage and counts each hit as a policy violation', async () => {
    const run = runBody({
      question: 'Email me at jane.doe@example.com',
      toolResult: '{"apiKey":"sk-proj-abcdefghijklmnopqrstuvwxyz012345","card":"4111 1111 1111 1111"}',
    });
    expect((await postTraces(collector.url, run.body, tokens.key)).status).toBe(200);
    const trace = await get(collector.url, `/api/runs/${run.traceId}`, tokens.viewer);
    const text = JSON.stringify(trace.body);
    expect(text).not.toContain('jane.doe@example.com');
    expect(text).not.toContain('sk-proj-abcdefghijklmnopqrstuvwxyz012345');
    expect(text).not.toContain('4111 1111 1111 1111');
    expect(text).toContain('[REDACTED:email]');
    expect(text).toContain('[REDACTED:secret]');
    expect(trace.body.run.policyViolations).toBe(3);
    const events = trace.body.spans.flatMap((s: { events: { name: string; attributes: Record<string, unknown> }[] }) => s.events);
    expect(events.filter((e: { name: string }) => e.name === 'runlens.policy.violation').map((e: { attributes: Record<string, unknown> }) => e.attributes.rule).sort()).toEqual([
      'card_number',
      'email',
      'openai_api_key',
    ]);
  });
});

const READ_ENDPOINTS = () => [
  '/api/runs',
  '/api/runs?q=order',
  `/api/runs/${traceId}`,
  '/api/metrics',
  '/api/stream',
  '/api/access-log',
  // Resources other parts of Runlens serve: refused before any route is looked up.
  '/api/evals',
  '/api/policy',
  '/api/approvals',
  '/api/drafts',
  '/api/autonomy',
  '/api/alerts',
  `/api/runs/${traceId}/dataset-line`,
];

describe('every read endpoint', () => {
  it('refuses a request without a token with 401', async () => {
    for (const path of READ_ENDPOINTS()) {
      const answer = await get(collector.url, path);
      expect(answer.status, path).toBe(401);
      expect(answer.body.error, path).toMatch(/sign in first/);
    }
  });

  it('refuses a wrong, malformed or revoked token with 401', async () => {
    const wrong = tokens.viewer.slice(0, -4) + 'AAAA';
    for (const path of READ_ENDPOINTS()) {
      for (const token of [wrong, 'garbage', tokens.revokedUser]) expect((await get(collector.url, path, token)).status, `${path} ${token}`).toBe(401);
    }
  });

  it('refuses an ingest key with 403: an ingest key cannot read', async () => {
    // GET /api/policy is an agent's own policy (its SDK reads it): left out here, tested below.
    for (const path of READ_ENDPOINTS().filter((p) => p !== '/api/policy')) {
      const answer = await get(collector.url, path, tokens.key);
      expect(answer.status, path).toBe(403);
      expect(answer.body.error, path).toMatch(/ingest key cannot/);
    }
  });

  it('lets an ingest key reach only what its agent calls: its kill switch and its policy', async () => {
    expect((await get(collector.url, '/api/autonomy/support-agent', tokens.key)).status).toBe(200);
    expect((await get(collector.url, '/api/policy', tokens.key)).status).toBe(200);
    expect((await get(collector.url, '/api/autonomy', tokens.key)).status).toBe(403);
    expect((await get(collector.url, '/api/gate/versions?since=1h', tokens.key)).status).toBe(403);
  });

  it('answers a viewer token, except the access log, which needs an admin', async () => {
    expect((await get(collector.url, '/api/runs', tokens.viewer)).status).toBe(200);
    expect((await get(collector.url, `/api/runs/${traceId}`, tokens.viewer)).status).toBe(200);
    expect((await get(collector.url, '/api/metrics', tokens.viewer)).status).toBe(200);
    const log = await get(collector.url, '/api/access-log', tokens.viewer);
    expect(log.status).toBe(403);
    expect(log.body.error).toMatch(/admin/);
  });

  it('opens the event stream with the token in its URL, as the browser sends it', async () => {
    const aborter = new AbortController();
    const response = await fetch(`${collector.url}/api/stream?access_token=${encodeURIComponent(tokens.viewer)}`, { signal: aborter.signal });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/text\/event-stream/);
    aborter.abort();
    // Only the stream takes a token in the URL.
    expect((await get(collector.url, `/api/runs?access_token=${encodeURIComponent(tokens.viewer)}`)).status).toBe(401);
  });

  it('leaves the viewer page and the health check open, so the sign-in screen loads', async () => {
    expect((await get(collector.url, '/healthz')).status).toBe(200);
    expect([200, 404]).toContain((await fetch(`${collector.url}/`)).status);
  });
});

describe('the access log', () => {
  it('records who read which trace and who searched for what, readable by admins', async () => {
    const before = Date.now();
    expect((await get(collector.url, `/api/runs/${traceId}`, tokens.viewer)).status).toBe(200);
    expect((await get(collector.url, '/api/runs?q=order', tokens.admin)).status).toBe(200);
    const log = await get(collector.url, '/api/access-log?limit=50', tokens.admin);
    expect(log.status).toBe(200);
    const entries = log.body.entries as { at: number; principal: string; action: string; traceId: string | null; query: string | null }[];
    const read = entries.find((e) => e.action === 'trace' && e.principal === 'vera' && e.traceId === traceId && e.at >= before);
    expect(read).toBeDefined();
    // A search is logged as the runs it returned.
    expect(entries.find((e) => e.action === 'search' && e.principal === 'ada' && e.traceId === traceId)).toBeDefined();
    const byTrace = await get(collector.url, `/api/access-log?traceId=${traceId}`, tokens.admin);
    expect(byTrace.body.entries.every((e: { traceId: string }) => e.traceId === traceId)).toBe(true);
  });

  it('never stores the search text, which may be the very secret looked for', async () => {
    expect((await get(collector.url, `/api/runs?q=${encodeURIComponent('jane.doe@example.com')}`, tokens.admin)).status).toBe(200);
    const log = await get(collector.url, '/api/access-log?limit=1000', tokens.admin);
    expect(JSON.stringify(log.body)).not.toContain('jane.doe');
    expect(log.body.entries.every((e: { query: string | null }) => e.query === null)).toBe(true);
  });

  it('does not record a refused read or a listing without search', async () => {
    const before = (await get(collector.url, '/api/access-log?limit=1000', tokens.admin)).body.entries.length;
    await get(collector.url, `/api/runs/${traceId}`, 'garbage');
    await get(collector.url, '/api/runs', tokens.viewer);
    await get(collector.url, '/api/runs?service=security-test', tokens.viewer);
    const log = await get(collector.url, '/api/access-log?limit=1000', tokens.admin);
    expect(log.body.entries.length).toBe(before);
  });
});

describe('filters and search', () => {
  const PAYLOADS = [
    "' OR '1'='1",
    "'; DROP TABLE runs; --",
    '" OR 1=1 --',
    "1) UNION SELECT name, sql FROM sqlite_schema --",
    "x' UNION SELECT hash FROM users --",
    '%',
    '_',
    '\\',
    "'); DELETE FROM spans; --",
    'NEAR(a b)',
    '"unterminated',
    '*',
    '\u0000',
  ];
  const PARAMS = ['service', 'agent', 'model', 'version', 'user', 'session', 'q', 'cursor', 'outcome', 'from', 'to', 'limit'];

  it('treat classic SQL injection payloads in every parameter as data: 200 or 400, never more, data intact', async () => {
    const runsBefore = await get(collector.url, '/api/runs?limit=500', tokens.admin);
    for (const payload of PAYLOADS) {
      for (const param of PARAMS) {
        const path = `/api/runs?${param}=${encodeURIComponent(payload)}`;
        const answer = await get(collector.url, path, tokens.admin);
        expect([200, 400], path).toContain(answer.status);
        if (answer.status === 200 && !['q', 'outcome', 'limit', 'cursor', 'from', 'to'].includes(param)) expect(answer.body.runs, path).toEqual([]);
      }
      for (const param of ['service', 'agent', 'groupBy', 'step', 'from', 'to']) {
        const answer = await get(collector.url, `/api/metrics?${param}=${encodeURIComponent(payload)}`, tokens.admin);
        expect([200, 400], `metrics ${param} ${payload}`).toContain(answer.status);
      }
      for (const param of ['traceId', 'principal', 'cursor', 'limit']) {
        const answer = await get(collector.url, `/api/access-log?${param}=${encodeURIComponent(payload)}`, tokens.admin);
        expect([200, 400], `access-log ${param} ${payload}`).toContain(answer.status);
      }
      expect([400, 404]).toContain((await get(collector.url, `/api/runs/${encodeURIComponent(payload)}`, tokens.admin)).status);
    }
    const runsAfter = await get(collector.url, '/api/runs?limit=500', tokens.admin);
    expect(runsAfter.body.runs.map((r: { traceId: string }) => r.traceId)).toEqual(runsBefore.body.runs.map((r: { traceId: string }) => r.traceId));
    expect((await get(collector.url, `/api/runs/${traceId}`, tokens.admin)).body.spans).toHaveLength(3);
    // The users table is still there and still refuses nobody it should accept.
    expect((await get(collector.url, '/api/runs', tokens.viewer)).status).toBe(200);
  });
});

describe('binding', () => {
  it('refuses to start on a network address with no keys or users, in one line', async () => {
    const result = await runCli(['serve', '--host', '0.0.0.0', '--port', '0', '--db', tempDbPath()]);
    expect(result.code).toBe(1);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^runlens: refusing to listen on 0\.0\.0\.0 with no ingest keys or users: .*--insecure/);
  });

  it('starts open on a network address when told --insecure, and says so', async () => {
    const open = await startCollector({ args: ['--host', '0.0.0.0', '--insecure'] });
    try {
      expect(open.logs()).toMatch(/--insecure: listening on 0\.0\.0\.0 with no keys or users/);
      const port = open.port;
      expect((await postTraces(`http://127.0.0.1:${port}`, runBody().body)).status).toBe(200);
      expect((await get(`http://127.0.0.1:${port}`, '/api/runs')).status).toBe(200);
    } finally {
      await open.stop();
    }
  });

  it('starts on a network address once keys and users exist, and requires them', async () => {
    const guarded = await startCollector({ db, args: ['--host', '0.0.0.0'] }).catch((e) => e as Error);
    // The shared database is in use by the main collector; a second process on it is fine (WAL).
    expect(guarded).not.toBeInstanceOf(Error);
    const c = guarded as RunningCollector;
    try {
      const base = `http://127.0.0.1:${c.port}`;
      expect((await postTraces(base, runBody().body)).status).toBe(401);
      expect((await get(base, '/api/runs')).status).toBe(401);
      expect((await get(base, '/api/runs', tokens.viewer)).status).toBe(200);
    } finally {
      await c.stop();
    }
  });
});

describe('the rate limit', () => {
  it('answers a key over its rate with 429 and Retry-After, and other keys are unaffected', async () => {
    const limitedDb = tempDbPath();
    const fast = await cliToken(limitedDb, ['keys', 'create', 'chatty']);
    const calm = await cliToken(limitedDb, ['keys', 'create', 'calm']);
    const limited = await startCollector({ db: limitedDb, args: ['--rate-limit', '2'] });
    try {
      const answers = await Promise.all(Array.from({ length: 12 }, () => postTraces(limited.url, runBody().body, fast)));
      const throttled = answers.filter((a) => a.status === 429);
      expect(answers.filter((a) => a.status === 200).length).toBeGreaterThanOrEqual(4);
      expect(throttled.length).toBeGreaterThan(0);
      for (const a of throttled) {
        expect(Number(a.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
        expect(a.body.message).toMatch(/rate limit of ingest:chatty exceeded/);
      }
      expect((await postTraces(limited.url, runBody().body, calm)).status).toBe(200);
    } finally {
      await limited.stop();
    }
  });
});
