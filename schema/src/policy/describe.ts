// The policy as a table per identity: what each agent may do, what needs approval and who may
// approve. The viewer's Policy page and the README render these rows; they follow the same
// order and autonomy caps as `decide`, so the document always says what is enforced.
import { compilePolicy, ruleId } from './compile.ts';
import type { CompiledIdentity, CompiledToolRule } from './compile.ts';
import { describeCondition } from './condition.ts';
import { catalogueEntry, hintsMatch, toolHints } from './decide.ts';
import { isGlob } from './glob.ts';
import { WORST_CASE_HINTS } from './types.ts';
import type { ApprovalRule, Autonomy, EndpointRule, Policy, ToolHints } from './types.ts';

export type RowDecision = 'allow' | 'deny' | 'approval' | 'draft';

export interface PolicyRow {
  /** A tool name, a glob from a rule that matches no catalogued tool, or `*` for every other tool. */
  tool: string;
  /** Null for globs and `*`, whose hints depend on the tool. */
  hints: ToolHints | null;
  decision: RowDecision;
  /** When the row applies: endpoint and argument conditions; `otherwise` after conditional rows; null when always. */
  condition: string | null;
  rule: string;
  /** Approver roles, for `approval`. */
  approvers: string[];
  /** Their members (user names and `group:NAME`). */
  members: string[];
  minApprovals: number | null;
  separationOfDuties: boolean;
  expiresAfter: string | null;
  /** Why autonomy changed the rule's grant, or where a draft goes. */
  note: string | null;
}

function endpointText(endpoint: EndpointRule): string {
  return [endpoint.methods?.join('|'), endpoint.host, endpoint.paths?.join(' | ')].filter(Boolean).join(' ');
}

function conditionText(endpoint: EndpointRule | undefined, when: ApprovalRule['when']): string | null {
  const parts = [endpoint ? endpointText(endpoint) : '', when ? describeCondition(when) : ''].filter(Boolean);
  return parts.length > 0 ? parts.join(' when ') : null;
}

const baseRow = { approvers: [], members: [], minApprovals: null, separationOfDuties: false, expiresAfter: null, note: null } satisfies Partial<PolicyRow>;

function approvalFields(policy: Policy, rule: ApprovalRule): Pick<PolicyRow, 'approvers' | 'members' | 'minApprovals' | 'separationOfDuties' | 'expiresAfter'> {
  const members = rule.approvers.flatMap((role) => (Object.hasOwn(policy.approvers, role) ? (policy.approvers[role] as string[]) : []));
  return {
    approvers: [...rule.approvers],
    members: [...new Set(members)],
    minApprovals: rule.minApprovals,
    separationOfDuties: rule.separationOfDuties,
    expiresAfter: rule.expiresAfter ?? null,
  };
}

/** Applies the autonomy cap to a granting row, as `decide` does. */
function capRow(row: PolicyRow, autonomy: Autonomy, readOnly: boolean, draftTool: string | undefined): PolicyRow {
  if (readOnly || autonomy === 'write' || autonomy === 'full') return row;
  if (autonomy === 'read-only') return { ...row, ...baseRow, decision: 'deny', note: `autonomy read-only: not marked readOnly, so ${row.rule} does not apply` };
  return { ...row, ...baseRow, decision: 'draft', note: `autonomy draft-only: held as a draft${draftTool ? ` through ${draftTool}` : ''} for review` };
}

const isUnconditional = (rule: { endpoint?: EndpointRule; when?: unknown }): boolean => rule.endpoint === undefined && rule.when === undefined;

/** What the rows of one table section are about: one named tool, or every tool the catalogue does not list. */
interface RowTarget {
  hints: ToolHints;
  /** Hints shown in the rows (null for "every other tool", whose hints are assumed). */
  shownHints: ToolHints | null;
  draftTool: string | undefined;
  /** Whether a rule's tool pattern (undefined: any tool) can reach the target. */
  reaches(pattern: string | undefined, matches: (tool: string) => boolean): boolean;
  /** Whether a reaching pattern reaches all of the target, so an unconditional rule settles it. */
  coversAll(pattern: string | undefined): boolean;
  label(pattern: string | undefined): string;
}

function namedTool(policy: Policy, tool: string): RowTarget {
  const hints = toolHints(policy, tool);
  return {
    hints,
    shownHints: hints,
    draftTool: catalogueEntry(policy, tool)?.draft,
    reaches: (pattern, matches) => pattern === undefined || matches(tool),
    coversAll: () => true,
    label: () => tool,
  };
}

/** Tools missing from the catalogue get the worst-case hints; only globs and hints-only rules reach them. */
const OTHER_TOOLS: RowTarget = {
  hints: WORST_CASE_HINTS,
  shownHints: null,
  draftTool: undefined,
  reaches: (pattern) => pattern === undefined || isGlob(pattern),
  coversAll: (pattern) => pattern === undefined || pattern === '**',
  label: (pattern) => pattern ?? '*',
};

/** The rows of one target in decision order (deny, approval, allow, default), as `decide` walks them. */
function rowsFor(policy: Policy, identity: CompiledIdentity, target: RowTarget): PolicyRow[] {
  const { autonomy } = identity.identity;
  const rows: PolicyRow[] = [];
  const toolRow = (rule: CompiledToolRule, decision: RowDecision): PolicyRow => ({
    ...baseRow,
    tool: target.label(rule.rule.tool),
    hints: target.shownHints,
    decision,
    condition: conditionText(rule.rule.endpoint, rule.rule.when),
    rule: rule.id,
  });
  // The first rule that applies always settles the target; conditional ones stack above it.
  let settled = false;
  for (const rule of identity.deny) {
    if (settled || !target.reaches(rule.rule.tool, rule.matchesTool)) continue;
    rows.push(toolRow(rule, 'deny'));
    settled = isUnconditional(rule.rule) && target.coversAll(rule.rule.tool);
  }
  for (const rule of identity.approval) {
    const { tool, hints } = rule.rule.match;
    if (settled || !target.reaches(tool, rule.matchesTool) || !hintsMatch(hints, target.hints)) continue;
    const row: PolicyRow = {
      ...baseRow,
      tool: target.label(tool),
      hints: target.shownHints,
      decision: 'approval',
      condition: conditionText(undefined, rule.rule.when),
      rule: rule.id,
      ...approvalFields(policy, rule.rule),
    };
    rows.push(capRow(row, autonomy, target.hints.readOnly, target.draftTool));
    settled = rule.rule.when === undefined && target.coversAll(tool);
  }
  for (const rule of identity.allow) {
    if (settled || !target.reaches(rule.rule.tool, rule.matchesTool)) continue;
    rows.push(capRow(toolRow(rule, 'allow'), autonomy, target.hints.readOnly, target.draftTool));
    settled = isUnconditional(rule.rule) && target.coversAll(rule.rule.tool);
  }
  if (!settled) rows.push({ ...baseRow, tool: target.label(undefined), hints: target.shownHints, decision: 'deny', condition: null, rule: 'default', note: 'default: deny' });
  // The last row takes over once the conditional rows above it do not apply.
  return rows.map((row, i) => (i > 0 && row.condition === null ? { ...row, condition: 'otherwise' } : row));
}

/**
 * Rows for one service identity: each catalogued tool (and each tool a rule names), then every
 * other tool (`*`, reached only by globs and hints-only approval rules), each in decision order.
 */
export function describeIdentity(policy: Policy, service: string): PolicyRow[] {
  const identity = Object.hasOwn(policy.identities, service) ? compilePolicy(policy).identities.get(service) : undefined;
  const refuseAll: PolicyRow = { ...baseRow, tool: '*', hints: null, decision: 'deny', condition: null, rule: 'default', note: null };
  if (!identity) return [{ ...refuseAll, note: `no identity "${service}" in the policy: default: deny` }];
  if (identity.identity.autonomy === 'off') return [{ ...refuseAll, rule: ruleId(service, 'autonomy'), note: 'autonomy off: every run is refused' }];

  const named = [...identity.deny, ...identity.allow].map((rule) => rule.rule.tool).concat(identity.approval.flatMap((rule) => rule.rule.match.tool ?? []));
  const tools = [...new Set([...Object.keys(policy.tools), ...named.filter((name) => !isGlob(name))])];
  return [...tools.flatMap((tool) => rowsFor(policy, identity, namedTool(policy, tool))), ...rowsFor(policy, identity, OTHER_TOOLS)];
}
