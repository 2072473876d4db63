// Drafts: writes held for review under draft-only autonomy. The SDK files each one
// (POST /api/drafts, with its ingest key); people list them (GET /api/drafts?service).
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { principalName } from '../auth/principal.ts';
import { callerOf, checkServiceScope, ingestService } from '../policy/caller.ts';
import type { PolicyStore } from '../policy/store.ts';
import type { DraftRecord } from '@runlens/schema';
import { optionalInteger, optionalString } from './params.ts';

const str = (value: unknown, max = 10_000): string | null => (typeof value === 'string' && value.length <= max ? value : null);

export function draftsRoutes(policies: PolicyStore): Hono {
  const routes = new Hono();

  routes.get('/', (c) => {
    const principal = callerOf(c);
    if (principal.kind === 'ingest') throw new HTTPException(403, { message: 'an ingest key cannot list drafts; use a user token' });
    const service = optionalString('service', c.req.query('service'));
    const limit = optionalInteger('limit', c.req.query('limit'), 1, 1000) ?? 200;
    return c.json<{ drafts: DraftRecord[] }>({ drafts: policies.drafts({ ...(service ? { service } : {}), limit }) });
  });

  routes.post('/', async (c) => {
    const principal = callerOf(c);
    const body = (await c.req.json().catch(() => null)) as Record<string, unknown> | null;
    if (!body || typeof body !== 'object') throw new HTTPException(400, { message: 'the body must be a JSON object' });
    const service = ingestService(principal) ?? str(body.service, 200);
    const tool = str(body.tool, 200);
    if (!service || !tool) throw new HTTPException(400, { message: 'service and tool: required strings' });
    checkServiceScope(principal, service);
    const id = str(body.id, 100);
    const draft = await policies.fileDraft(
      {
        ...(id ? { id } : {}),
        service,
        tool,
        arguments: body.arguments ?? null,
        traceId: str(body.traceId, 64),
        spanId: str(body.spanId, 32),
        runName: str(body.runName, 500),
        rule: str(body.rule, 500),
        reason: str(body.reason),
        draftTool: str(body.draftTool, 200),
        policyVersion: str(body.policyVersion, 200),
      },
      principalName(principal),
    );
    return c.json<{ draft: DraftRecord }>({ draft }, 201);
  });

  return routes;
}
