// The one decision: may this service identity call this tool with these arguments?
// Order (issue 10): deny, then approval, then allow, then the default (deny); the first match
// wins. Autonomy then caps what approval and allow grant.
import { compilePolicy, ruleId } from './compile.ts';
import type { CompiledApprovalRule, CompiledIdentity, CompiledToolRule } from './compile.ts';
import { describeCondition, describeConditionArgs, evaluateCondition, readArg } from './condition.ts';
import { formatFieldPath } from './field-path.ts';
import { isGlob } from './glob.ts';
import { WORST_CASE_HINTS } from './types.ts';
import type { ApprovalRequirement, ArgumentCondition, Decision, Policy, PolicyToolCall, ToolEntry, ToolHints, ToolRule } from './types.ts';

/** The catalogue entry of a tool, if the policy lists it. */
export function catalogueEntry(policy: Policy, tool: string): ToolEntry | undefined {
  return Object.hasOwn(policy.tools, tool) ? policy.tools[tool] : undefined;
}

/** A tool's hints; a tool missing from the catalogue gets MCP's worst case. */
export function toolHints(policy: Policy, tool: string): ToolHints {
  return catalogueEntry(policy, tool)?.hints ?? { ...WORST_CASE_HINTS };
}

/** The HTTP request an `http: true` tool is about to make, read from its `url` and `method` arguments. */
export interface HttpCall {
  method: string;
  hostname: string;
  /** Host with port when the URL has one. */
  host: string;
  path: string;
}

export function readHttpCall(args: unknown): HttpCall | { problem: string } {
  const url = readArg(args, ['url']);
  if (typeof url !== 'string') return { problem: `its url argument is ${url === undefined ? 'missing' : `not a string (${JSON.stringify(url)})`}` };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { problem: `its url argument ${JSON.stringify(url)} is not an absolute URL` };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return { problem: `its url argument ${JSON.stringify(url)} is not an http or https URL` };
  }
  const method = readArg(args, ['method']) ?? 'GET';
  if (typeof method !== 'string' || !/^[A-Za-z]+$/.test(method)) return { problem: `its method argument ${JSON.stringify(method)} is not an HTTP method` };
  // URL has already resolved `..` and `%2e%2e` segments, so a path glob sees the real path.
  return { method: method.toUpperCase(), hostname: parsed.hostname, host: parsed.host, path: parsed.pathname };
}

const httpText = (http: HttpCall): string => `${http.method} ${http.host}${http.path}`;

function endpointText(rule: ToolRule): string {
  const { host, methods, paths } = rule.endpoint ?? {};
  return [methods && `methods ${methods.join(', ')}`, host && `host ${host}`, paths && `paths ${paths.join(', ')}`].filter(Boolean).join(', ');
}

function conditionText(when: ArgumentCondition, args: unknown): string {
  return `${describeCondition(when)} (${describeConditionArgs(when, args)})`;
}

function approvalRequirement(policy: Policy, compiled: CompiledApprovalRule): ApprovalRequirement {
  const { rule } = compiled;
  const membersByRole = Object.fromEntries(rule.approvers.map((role) => [role, Object.hasOwn(policy.approvers, role) ? [...(policy.approvers[role] as string[])] : []]));
  return {
    approvers: [...rule.approvers],
    members: [...new Set(Object.values(membersByRole).flat())],
    membersByRole,
    minApprovals: rule.minApprovals,
    separationOfDuties: rule.separationOfDuties,
    expiresAfterMs: compiled.expiresAfterMs,
  };
}

/** Whether a tool's hints have every value an approval rule's `match.hints` asks for. */
export function hintsMatch(wanted: Partial<ToolHints> | undefined, hints: ToolHints): boolean {
  if (!wanted) return true;
  return (Object.keys(wanted) as Array<keyof ToolHints>).every((name) => wanted[name] === hints[name]);
}

/** Why a tool rule does or does not cover this call; null when it covers it. */
function toolRuleMiss(rule: CompiledToolRule, http: HttpCall | null, args: unknown): string | null {
  if (rule.endpoint) {
    if (http === null) return 'it has an endpoint, and the tool is not an http tool in the catalogue';
    const { endpoint } = rule;
    if (!endpoint.matchesHost(http.hostname, http.host) || !endpoint.matchesMethod(http.method) || !endpoint.matchesPath(http.path)) {
      return `it covers only ${endpointText(rule.rule)}; this call is ${httpText(http)}`;
    }
  }
  if (rule.rule.when && !evaluateCondition(rule.rule.when, args)) return `it applies only when ${conditionText(rule.rule.when, args)}`;
  return null;
}

/** What makes a tool rule match this call, for a reason: ` (tool: "delete_*") for GET host/path when …`. */
function matchedRuleText(rule: ToolRule, http: HttpCall | null, args: unknown): string {
  return [
    isGlob(rule.tool) ? ` (tool: "${rule.tool}")` : '',
    rule.endpoint && http ? ` for ${httpText(http)}` : '',
    rule.when ? ` because ${conditionText(rule.when, args)}` : '',
  ].join('');
}

/** Decides one tool call. Pure: the same policy and call always give the same decision. */
export function decide(policy: Policy, call: PolicyToolCall): Decision {
  const { service, tool, args } = call;
  const policyVersion = policy.version;
  const decision = (fields: Omit<Decision, 'policyVersion'>): Decision => ({ ...fields, policyVersion });

  const identity: CompiledIdentity | undefined = Object.hasOwn(policy.identities, service) ? compilePolicy(policy).identities.get(service) : undefined;
  if (!identity) {
    return decision({
      decision: 'deny',
      rule: 'default',
      reason: `service "${service}" has no entry in identities, so default: deny refuses ${tool}; add ${formatFieldPath(['identities', service])} to the policy to grant it tools`,
    });
  }
  const { autonomy } = identity.identity;
  const autonomyRule = ruleId(service, 'autonomy');
  if (autonomy === 'off') {
    return decision({ decision: 'deny', rule: autonomyRule, reason: `${service} has autonomy off: every run is refused, so ${tool} may not run` });
  }

  const entry = catalogueEntry(policy, tool);
  const hints = entry?.hints ?? WORST_CASE_HINTS;
  let http: HttpCall | null = null;
  if (entry?.http) {
    const read = readHttpCall(args);
    if ('problem' in read) {
      const rule = formatFieldPath(['tools', tool, 'http']);
      return decision({ decision: 'deny', rule, reason: `${tool} calls HTTP (${rule}: true) but ${read.problem}, so no endpoint rule can judge it` });
    }
    http = read;
  }

  // Autonomy caps what approval and allow grant; deny and the default are already refusals.
  const capped = (granted: Decision): Decision => {
    if (hints.readOnly || autonomy === 'write' || autonomy === 'full') return granted;
    const notReadOnly = `${tool} is not marked readOnly in the tools catalogue${entry ? '' : ' (it is not in the catalogue: worst-case hints)'}`;
    if (autonomy === 'read-only') {
      return decision({ decision: 'deny', rule: autonomyRule, reason: `${service} has autonomy read-only and ${notReadOnly}, so it may not run (${granted.rule} would otherwise grant it)` });
    }
    const draftTool = entry?.draft;
    return decision({
      decision: 'draft',
      rule: autonomyRule,
      reason: `${service} has autonomy draft-only and ${notReadOnly}, so the call is held as a draft${draftTool ? ` through ${draftTool}` : ''} for a person to review (${granted.rule} would otherwise grant it)`,
      ...(draftTool ? { draftTool } : {}),
    });
  };

  for (const rule of identity.deny) {
    if (rule.matchesTool(tool) && toolRuleMiss(rule, http, args) === null) {
      return decision({ decision: 'deny', rule: rule.id, reason: `${rule.id} denies ${tool}${matchedRuleText(rule.rule, http, args)}` });
    }
  }

  for (const rule of identity.approval) {
    if (approvalApplies(rule, tool, hints, args)) {
      const approval = approvalRequirement(policy, rule);
      return capped(decision({ decision: 'approval_required', rule: rule.id, reason: approvalReason(rule, tool, approval, args), approval }));
    }
  }

  const misses: string[] = [];
  for (const rule of identity.allow) {
    if (!rule.matchesTool(tool)) continue;
    const miss = toolRuleMiss(rule, http, args);
    if (miss === null) return capped(decision({ decision: 'allow', rule: rule.id, reason: `${rule.id} allows ${tool}${matchedRuleText(rule.rule, http, args)}` }));
    misses.push(`${rule.id} names ${tool} but ${miss}`);
  }

  const why = misses.length > 0 ? misses.join('; ') : `no entry of ${ruleId(service, 'allow')} names ${tool}`;
  return decision({ decision: 'deny', rule: 'default', reason: `${tool} is not allowed for ${service}: ${why} (default: deny)` });
}

function approvalApplies(rule: CompiledApprovalRule, tool: string, hints: ToolHints, args: unknown): boolean {
  return rule.matchesTool(tool) && hintsMatch(rule.rule.match.hints, hints) && (!rule.rule.when || evaluateCondition(rule.rule.when, args));
}

function approvalReason(rule: CompiledApprovalRule, tool: string, approval: ApprovalRequirement, args: unknown): string {
  const who = `${approval.approvers.join(' or ')} (${approval.members.length > 0 ? approval.members.join(', ') : 'no members'})`;
  const terms = [
    `${approval.minApprovals} approval${approval.minApprovals === 1 ? '' : 's'}`,
    approval.separationOfDuties ? 'not by the initiating user' : '',
    rule.rule.expiresAfter ? `within ${rule.rule.expiresAfter}` : '',
  ].filter(Boolean);
  const because = rule.rule.when ? ` because ${conditionText(rule.rule.when, args)}` : '';
  return `${rule.id} requires approval of ${tool} by ${who}${because}: ${terms.join(', ')}`;
}
