// Everything a decision needs that can be worked out once per policy: rule ids, tool matchers,
// endpoint globs, conditions, durations. Kept beside the plain Policy in a WeakMap, so the Policy
// itself stays JSON and a policy built elsewhere is compiled on first use.
import { compileCondition } from './condition.ts';
import { parseDuration } from './duration.ts';
import { formatFieldPath } from './field-path.ts';
import { HOST_SEPARATORS, PATH_SEPARATORS, compileGlob, isGlob, toolMatcher } from './glob.ts';
import type { ApprovalRule, EndpointRule, IdentityPolicy, Policy, ToolRule } from './types.ts';

export interface CompiledEndpoint {
  matchesHost(hostname: string, hostWithPort: string): boolean;
  matchesMethod(method: string): boolean;
  matchesPath(path: string): boolean;
}

export interface CompiledToolRule {
  id: string;
  rule: ToolRule;
  matchesTool(tool: string): boolean;
  endpoint: CompiledEndpoint | null;
}

export interface CompiledApprovalRule {
  id: string;
  rule: ApprovalRule;
  matchesTool(tool: string): boolean;
  expiresAfterMs: number | null;
}

export interface CompiledIdentity {
  id: string;
  identity: IdentityPolicy;
  deny: CompiledToolRule[];
  approval: CompiledApprovalRule[];
  allow: CompiledToolRule[];
}

export interface CompiledPolicy {
  identities: Map<string, CompiledIdentity>;
}

const compiledPolicies = new WeakMap<Policy, CompiledPolicy>();

function compileEndpoint(endpoint: EndpointRule): CompiledEndpoint {
  const { host, methods, paths } = endpoint;
  const hostGlob = host !== undefined && isGlob(host) ? compileGlob(host, HOST_SEPARATORS) : null;
  // A host pattern with a port pins the port; without one, any port of that host matches.
  const pinsPort = host?.includes(':') ?? false;
  const pathGlobs = paths?.map((p) => compileGlob(p, PATH_SEPARATORS));
  return {
    matchesHost: (hostname, hostWithPort) => {
      if (host === undefined) return true;
      const candidate = (pinsPort ? hostWithPort : hostname).toLowerCase();
      return hostGlob ? hostGlob.test(candidate) : candidate === host;
    },
    matchesMethod: (method) => methods === undefined || methods.includes(method),
    matchesPath: (path) => pathGlobs === undefined || pathGlobs.some((glob) => glob.test(path)),
  };
}

function compileToolRule(rule: ToolRule, id: string): CompiledToolRule {
  if (rule.when) compileCondition(rule.when);
  return { id, rule, matchesTool: toolMatcher(rule.tool), endpoint: rule.endpoint ? compileEndpoint(rule.endpoint) : null };
}

function compileApprovalRule(rule: ApprovalRule, id: string): CompiledApprovalRule {
  if (rule.when) compileCondition(rule.when);
  const tool = rule.match.tool;
  return {
    id,
    rule,
    matchesTool: tool === undefined ? () => true : toolMatcher(tool),
    expiresAfterMs: rule.expiresAfter === undefined ? null : parseDuration(rule.expiresAfter),
  };
}

/** Rule id for one entry of an identity: `identities.support-agent.deny[0]`. */
export function ruleId(service: string, list: 'allow' | 'deny' | 'approval' | 'autonomy', index?: number): string {
  return formatFieldPath(index === undefined ? ['identities', service, list] : ['identities', service, list, index]);
}

export function compilePolicy(policy: Policy): CompiledPolicy {
  let compiled = compiledPolicies.get(policy);
  if (compiled) return compiled;
  compiled = { identities: new Map() };
  for (const [service, identity] of Object.entries(policy.identities)) {
    compiled.identities.set(service, {
      id: formatFieldPath(['identities', service]),
      identity,
      deny: identity.deny.map((rule, i) => compileToolRule(rule, ruleId(service, 'deny', i))),
      approval: identity.approval.map((rule, i) => compileApprovalRule(rule, ruleId(service, 'approval', i))),
      allow: identity.allow.map((rule, i) => compileToolRule(rule, ruleId(service, 'allow', i))),
    });
  }
  compiledPolicies.set(policy, compiled);
  return compiled;
}
