// The approvals inbox: an agent files a request for a call its policy gates (POST /api/approvals,
// with its ingest key) and polls it (GET /api/approvals/:id); a signed-in approver lists pending
// requests (GET /api/approvals?status=pending) and decides (POST /api/approvals/:id
// { decision, comment }). Whether an answer counts is the engine's judgement (store.ts).
// In local open mode (no users configured, loopback) the body's `approver` names who decides.
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { decide } from '@runlens/schema';
import type { ApprovalRequirement } from '@runlens/schema';
import { callerOf, checkServiceScope, ingestService } from '../policy/caller.ts';
import type { ApprovalFiling, PolicyStore } from '../policy/store.ts';
import type { ApprovalRecord, ApprovalStatus } from '@runlens/schema';
import { principalName } from '../auth/principal.ts';
import { optionalEnum, optionalInteger } from './params.ts';

const STATUSES: readonly ApprovalStatus[] = ['pending', 'approved', 'rejected', 'expired'];

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new HTTPException(400, { message: 'the body must be a JSON object' });
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new HTTPException(400, { message: 'the body must be a JSON object' });
  return body as Record<string, unknown>;
}

function text(body: Record<string, unknown>, name: string, required: true): string;
function text(body: Record<string, unknown>, name: string, required?: false): string | null;
function text(body: Record<string, unknown>, name: string, required = false): string | null {
  const value = body[name];
  if (value === undefined || value === null) {
    if (required) throw new HTTPException(400, { message: `${name}: required` });
    return null;
  }
  if (typeof value !== 'string' || value.length > 10_000) throw new HTTPException(400, { message: `${name}: must be a string` });
  return value;
}

const isStrings = (value: unknown): value is string[] => Array.isArray(value) && value.every((item) => typeof item === 'string');

function requirementOf(value: unknown): ApprovalRequirement {
  const r = value as Partial<ApprovalRequirement> | null;
  const ok =
    r !== null &&
    typeof r === 'object' &&
    isStrings(r.approvers) &&
    isStrings(r.members) &&
    typeof r.membersByRole === 'object' &&
    r.membersByRole !== null &&
    Object.values(r.membersByRole).every(isStrings) &&
    Number.isInteger(r.minApprovals) &&
    (r.minApprovals as number) >= 1 &&
    typeof r.separationOfDuties === 'boolean' &&
    (r.expiresAfterMs === null || (typeof r.expiresAfterMs === 'number' && r.expiresAfterMs >= 0));
  if (!ok) throw new HTTPException(400, { message: 'requirement: must be the policy decision\'s approval requirement { approvers, members, membersByRole, minApprovals, separationOfDuties, expiresAfterMs }' });
  return r as ApprovalRequirement;
}

export function approvalsRoutes(policies: PolicyStore): Hono {
  const routes = new Hono();

  routes.get('/', (c) => {
    const principal = callerOf(c);
    if (principal.kind === 'ingest') throw new HTTPException(403, { message: 'an ingest key reads only the requests it filed (GET /api/approvals/:id)' });
    const status = optionalEnum('status', c.req.query('status'), STATUSES) ?? null;
    const limit = optionalInteger('limit', c.req.query('limit'), 1, 1000) ?? 200;
    return c.json<{ approvals: ApprovalRecord[] }>({ approvals: policies.approvals(status, limit) });
  });

  routes.post('/', async (c) => {
    const principal = callerOf(c);
    const body = await jsonBody(c);
    const service = ingestService(principal) ?? text(body, 'service', true);
    checkServiceScope(principal, service);
    const filing: ApprovalFiling = {
      service,
      tool: text(body, 'tool', true),
      arguments: body.arguments ?? null,
      traceId: text(body, 'traceId'),
      spanId: text(body, 'spanId'),
      runName: text(body, 'runName'),
      initiatingUser: text(body, 'initiatingUser'),
      rule: text(body, 'rule', true),
      reason: text(body, 'reason') ?? '',
      policyVersion: text(body, 'policyVersion'),
      requirement: requirementOf(body.requirement),
      waitMs: typeof body.waitMs === 'number' && body.waitMs > 0 ? body.waitMs : null,
    };
    // The collector's own policy, when it gates this call, says who may approve: an agent cannot
    // name its own approvers.
    const current = policies.current();
    if (current) {
      const decision = decide(current.policy, { service, tool: filing.tool, args: filing.arguments, initiatingUser: filing.initiatingUser });
      if (decision.decision === 'approval_required') {
        Object.assign(filing, { requirement: decision.approval!, rule: decision.rule, reason: decision.reason, policyVersion: decision.policyVersion });
      }
    }
    const approval = await policies.fileApproval(filing, principalName(principal));
    return c.json<{ approval: ApprovalRecord }>({ approval }, 201);
  });

  routes.get('/:id', (c) => {
    const principal = callerOf(c);
    const approval = policies.approval(c.req.param('id'));
    if (!approval) throw new HTTPException(404, { message: `no approval request ${c.req.param('id')}` });
    checkServiceScope(principal, approval.service);
    return c.json<{ approval: ApprovalRecord }>({ approval });
  });

  routes.post('/:id', async (c) => {
    const principal = callerOf(c);
    if (principal.kind === 'ingest') throw new HTTPException(403, { message: 'an agent cannot decide approvals; an approver signs in with a user token' });
    const body = await jsonBody(c);
    const decision = text(body, 'decision', true);
    if (decision !== 'approve' && decision !== 'reject') throw new HTTPException(400, { message: 'decision: must be "approve" or "reject"' });
    const comment = text(body, 'comment');
    let approver: string;
    if (principal.kind === 'user') {
      approver = principal.name;
    } else {
      // Local open mode has no users: the body names the approver (development only).
      const named = text(body, 'approver');
      if (!named) throw new HTTPException(400, { message: 'approver: required in local mode (no users configured): the user name deciding' });
      approver = named;
    }
    const id = c.req.param('id');
    const existing = policies.approval(id);
    if (!existing) throw new HTTPException(404, { message: `no approval request ${id}` });
    if (existing.status !== 'pending') throw new HTTPException(409, { message: `request ${id} is already ${existing.status}${existing.statusReason ? `: ${existing.statusReason}` : ''}` });
    const result = (await policies.vote(id, { approver, decision, comment }))!;
    if (!result.counted) throw new HTTPException(403, { message: `${result.reason}; the answer is recorded and the agent is refused` });
    return c.json<{ approval: ApprovalRecord; counted: boolean; reason: string }>({ approval: result.record, counted: true, reason: result.reason });
  });

  return routes;
}
