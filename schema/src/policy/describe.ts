// The policy as a table per identity: what each agent may do, what needs approval and who may
// approve. The viewer's Policy page and the README render these rows; they follow the same
// order and autonomy caps as `decide`, so the document always says what is enforced.
import { compilePolicy, ruleId } from './compile.ts';
import type { CompiledToolRule } from './compile.ts';
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

/** Rows for one service identity, in decision order per tool. */
export function describeIdentity(policy: Policy, service: string): PolicyRow[] {
  const compiled = Object.hasOwn(policy.identities, service) ? compilePolicy(policy).identities.get(service) : undefined;
  const everyOther: PolicyRow = { ...baseRow, tool: '*', hints: null, decision: 'deny', condition: null, rule: 'default', note: 'default: deny' };
  if (!compiled) return [{ ...everyOther, note: `no identity "${service}" in the policy: default: deny` }];
  const { autonomy } = compiled.identity;
  if (autonomy === 'off') return [{ ...everyOther, rule: ruleId(service, 'autonomy'), note: 'autonomy off: every run is refused' }];

  const toolRules = [...compiled.deny, ...compiled.allow];
  const named = toolRules.map((r) => r.rule.tool).concat(compiled.approval.flatMap((r) => (r.rule.match.tool ? [r.rule.match.tool] : [])));
  const tools = [...new Set([...Object.keys(policy.tools), ...named.filter((name) => !isGlob(name))])];

  const rows: PolicyRow[] = [];
  for (const tool of tools) {
    const hints = toolHints(policy, tool);
    const draftTool = catalogueEntry(policy, tool)?.draft;
    const toolRows: PolicyRow[] = [];
    const fromToolRule = (rule: CompiledToolRule, decision: RowDecision): PolicyRow => ({
      ...baseRow,
      tool,
      hints,
      decision,
      condition: conditionText(rule.rule.endpoint, rule.rule.when),
      rule: rule.id,
    });
    // As in `decide`: the first unconditional rule settles the tool; conditional ones stack above it.
    let settled = false;
    for (const rule of compiled.deny) {
      if (settled || !rule.matchesTool(tool)) continue;
      toolRows.push(fromToolRule(rule, 'deny'));
      settled = isUnconditional(rule.rule);
    }
    for (const rule of compiled.approval) {
      if (settled || !rule.matchesTool(tool) || !hintsMatch(rule.rule.match.hints, hints)) continue;
      const row: PolicyRow = { ...baseRow, tool, hints, decision: 'approval', condition: conditionText(undefined, rule.rule.when), rule: rule.id, ...approvalFields(policy, rule.rule) };
      toolRows.push(capRow(row, autonomy, hints.readOnly, draftTool));
      settled = rule.rule.when === undefined;
    }
    for (const rule of compiled.allow) {
      if (settled || !rule.matchesTool(tool)) continue;
      toolRows.push(capRow(fromToolRule(rule, 'allow'), autonomy, hints.readOnly, draftTool));
      settled = isUnconditional(rule.rule);
    }
    if (!settled) toolRows.push({ ...baseRow, tool, hints, decision: 'deny', condition: null, rule: 'default', note: 'default: deny' });
    // The last row of a tool takes over once the conditional rows above it do not apply.
    rows.push(...toolRows.map((row, i) => (i > 0 && row.condition === null ? { ...row, condition: 'otherwise' } : row)));
  }

  // Glob rules that match no listed tool still matter for tools the catalogue does not know.
  for (const rule of toolRules) {
    if (!isGlob(rule.rule.tool) || tools.some((tool) => rule.matchesTool(tool))) continue;
    const decision: RowDecision = rule.id.includes('.deny[') ? 'deny' : 'allow';
    const note = decision === 'allow' && autonomy !== 'write' && autonomy !== 'full' ? `autonomy ${autonomy} applies to tools not marked readOnly` : null;
    rows.push({ ...baseRow, tool: rule.rule.tool, hints: null, decision, condition: conditionText(rule.rule.endpoint, rule.rule.when), rule: rule.id, note });
  }
  for (const rule of compiled.approval) {
    const { tool, hints } = rule.rule.match;
    const approval = { ...baseRow, hints: null, decision: 'approval', condition: conditionText(undefined, rule.rule.when), rule: rule.id, ...approvalFields(policy, rule.rule) } as const;
    if (tool !== undefined && isGlob(tool) && !tools.some((name) => rule.matchesTool(name))) rows.push({ ...approval, tool });
    // A hints-only rule also catches tools missing from the catalogue, which get the worst-case hints.
    if (tool === undefined && hintsMatch(hints, WORST_CASE_HINTS)) rows.push({ ...approval, tool: '*', note: 'tools not in the catalogue (worst-case hints)' });
  }
  rows.push(everyOther);
  return rows;
}
