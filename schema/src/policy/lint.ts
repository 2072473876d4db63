// `runlens policy check`: problems in a valid policy that would make it say something other than
// what it enforces. Errors are rules that can never apply or approvals no one can give; warnings
// are likely mistakes that still behave safely.
import { compilePolicy } from './compile.ts';
import type { CompiledApprovalRule, CompiledIdentity, CompiledToolRule } from './compile.ts';
import { conditionPaths, parseArgPath } from './condition.ts';
import { catalogueEntry, hintsMatch, toolHints } from './decide.ts';
import { formatFieldPath } from './field-path.ts';
import type { FieldPath } from './field-path.ts';
import { isGlob } from './glob.ts';
import { WORST_CASE_HINTS } from './types.ts';
import type { ArgumentCondition, Policy } from './types.ts';

export interface LintFinding {
  level: 'error' | 'warning';
  path: string;
  message: string;
}

type Report = (level: LintFinding['level'], at: FieldPath, message: string) => void;

/** The tools a rule's pattern can reach: catalogued tools it matches, or its own name when it is plain. */
function reachedTools(policy: Policy, pattern: string, matches: (tool: string) => boolean): string[] {
  if (!isGlob(pattern)) return [pattern];
  return Object.keys(policy.tools).filter(matches);
}

function checkToolName(policy: Policy, pattern: string, reached: string[], at: FieldPath, list: string, report: Report): void {
  if (!isGlob(pattern) && !catalogueEntry(policy, pattern)) {
    report('warning', at, `tool "${pattern}" is not in the tools catalogue, so it gets the worst-case hints (not read-only, destructive, not idempotent, open-world)`);
  } else if (isGlob(pattern) && reached.length === 0) {
    const still = list === 'deny' ? '; it still denies such tools if an agent calls one' : '';
    report('warning', at, `"${pattern}" matches no tool in the catalogue${still}`);
  }
}

function knownArguments(policy: Policy, tool: string): string[] | null {
  const entry = catalogueEntry(policy, tool);
  if (!entry || (entry.fields === undefined && entry.arguments === undefined)) return null;
  return [...(entry.fields ?? []), ...(entry.arguments ?? []), ...(entry.http ? ['url', 'method'] : [])];
}

function checkConditionPaths(policy: Policy, when: ArgumentCondition | undefined, tools: string[], at: FieldPath, report: Report): void {
  if (!when) return;
  const listed = tools.flatMap((tool) => {
    const known = knownArguments(policy, tool);
    return known ? [{ tool, known }] : [];
  });
  if (listed.length === 0) return;
  for (const path of conditionPaths(when)) {
    const head = String(parseArgPath(path)?.[0]);
    if (listed.every(({ known }) => !known.includes(head))) {
      const names = listed.map(({ tool, known }) => `${tool} (${known.join(', ') || 'none'})`).join('; ');
      report('error', at, `the condition reads argument "${path}", which is not among the known arguments of ${names}, so it never holds as intended`);
    }
  }
}

/** Why an earlier rule or the autonomy keeps `tool` from reaching a rule; null when nothing does. */
function blockedBy(
  policy: Policy,
  identity: CompiledIdentity,
  tool: string,
  before: { deny: CompiledToolRule[]; approval: CompiledApprovalRule[] },
  grants: 'allow' | 'approval',
): string | null {
  const hints = toolHints(policy, tool);
  const deny = before.deny.find((rule) => rule.matchesTool(tool) && !rule.rule.when && !rule.rule.endpoint);
  if (deny) return `${tool} is always denied by ${deny.id}`;
  const approval = before.approval.find((rule) => rule.matchesTool(tool) && hintsMatch(rule.rule.match.hints, hints) && !rule.rule.when);
  if (approval) return `${tool} always needs approval under ${approval.id}`;
  const { autonomy } = identity.identity;
  if (hints.readOnly) return null;
  if (autonomy === 'read-only') return `autonomy read-only refuses ${tool} (not marked readOnly)`;
  if (autonomy === 'draft-only' && grants === 'approval') return `autonomy draft-only turns ${tool} (not marked readOnly) into a draft before any approval`;
  return null;
}

function lintIdentity(policy: Policy, service: string, identity: CompiledIdentity, report: Report): void {
  const at = ['identities', service];
  if (identity.identity.autonomy === 'off') {
    report('warning', [...at, 'autonomy'], `autonomy off refuses every run of ${service}: none of its rules apply`);
    return;
  }
  for (const [list, rules] of [['deny', identity.deny], ['allow', identity.allow]] as const) {
    rules.forEach((rule, index) => {
      const where = [...at, list, index];
      const reached = reachedTools(policy, rule.rule.tool, rule.matchesTool);
      checkToolName(policy, rule.rule.tool, reached, [...where, 'tool'], list, report);
      checkConditionPaths(policy, rule.rule.when, reached, [...where, 'when'], report);
      const httpTools = reached.filter((tool) => catalogueEntry(policy, tool)?.http);
      if (rule.rule.endpoint && reached.length > 0 && httpTools.length === 0) {
        report('error', [...where, 'endpoint'], `the endpoint never matches: ${reached.join(', ')} ${reached.length === 1 ? 'is' : 'are'} not http: true in the catalogue`);
      }
      if (list === 'allow' && !rule.rule.endpoint && httpTools.length > 0) {
        report('warning', where, `allows ${httpTools.join(', ')} to call any host, method and path; add an endpoint to limit it`);
      }
      if (list === 'allow' && reached.length > 0) {
        const reasons = reached.map((tool) => blockedBy(policy, identity, tool, identity, 'allow'));
        if (reasons.every((reason) => reason !== null)) report('error', where, `this allow can never apply: ${reasons.join('; ')}`);
      }
    });
  }
  identity.approval.forEach((rule, index) => {
    const where = [...at, 'approval', index];
    const { tool: pattern, hints } = rule.rule.match;
    const byName = pattern === undefined ? Object.keys(policy.tools) : reachedTools(policy, pattern, rule.matchesTool);
    const reached = byName.filter((tool) => hintsMatch(hints, toolHints(policy, tool)));
    if (pattern !== undefined) checkToolName(policy, pattern, byName, [...where, 'match', 'tool'], 'approval', report);
    if (pattern === undefined && hintsMatch(hints, WORST_CASE_HINTS)) {
      report('warning', [...where, 'match'], 'these hints also match every tool missing from the catalogue (worst-case hints): such tools become callable with approval instead of being refused');
    }
    if (byName.length > 0 && reached.length === 0) {
      report('error', [...where, 'match'], `no tool matches both the tool and the hints of this rule`);
    }
    checkConditionPaths(policy, rule.rule.when, reached, [...where, 'when'], report);
    const before = { deny: identity.deny, approval: identity.approval.slice(0, index) };
    const reasons = reached.map((tool) => blockedBy(policy, identity, tool, before, 'approval'));
    if (reached.length > 0 && reasons.every((reason) => reason !== null)) report('error', where, `this approval rule can never apply: ${reasons.join('; ')}`);
    const members = rule.rule.approvers.flatMap((role) => policy.approvers[role] ?? []);
    const people = new Set(members);
    if (members.length > 0 && !members.some((m) => m.startsWith('group:')) && people.size < rule.rule.minApprovals) {
      report('error', [...where, 'minApprovals'], `needs ${rule.rule.minApprovals} distinct approvers but ${rule.rule.approvers.join(', ')} ${people.size === 1 ? 'has' : 'have'} only ${people.size} member${people.size === 1 ? '' : 's'}`);
    }
  });
}

/** Problems in a validated policy, errors first in document order, then warnings. */
export function lintPolicy(policy: Policy): LintFinding[] {
  const findings: LintFinding[] = [];
  const report: Report = (level, at, message) => findings.push({ level, path: formatFieldPath(at), message });
  const usedRoles = new Set(Object.values(policy.identities).flatMap((identity) => identity.approval.flatMap((rule) => rule.approvers)));
  for (const [role, members] of Object.entries(policy.approvers)) {
    if (members.length > 0) continue;
    if (usedRoles.has(role)) report('error', ['approvers', role], `role "${role}" has no members, so the approvals it is asked for can never be given`);
    else report('warning', ['approvers', role], `role "${role}" has no members`);
  }
  for (const [name, entry] of Object.entries(policy.tools)) {
    if (entry.draft !== undefined && !catalogueEntry(policy, entry.draft)) {
      report('warning', ['tools', name, 'draft'], `draft twin "${entry.draft}" is not in the tools catalogue`);
    }
  }
  const compiled = compilePolicy(policy);
  for (const [service, identity] of compiled.identities) lintIdentity(policy, service, identity, report);
  return [...findings.filter((f) => f.level === 'error'), ...findings.filter((f) => f.level === 'warning')];
}
