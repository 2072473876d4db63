// Reads an already-parsed policy document (from YAML, JSON or an object) into a validated Policy,
// collecting every problem with the field it concerns. Unknown fields are errors: a misspelt key
// (`aprovers`) silently ignored would weaken the policy without anyone noticing.
import { parseDuration } from './duration.ts';
import type { FieldPath, Issue } from './field-path.ts';
import { readCondition } from './condition.ts';
import { AUTONOMY_LEVELS } from './types.ts';
import type { ApprovalMatch, ApprovalRule, Autonomy, EndpointRule, IdentityPolicy, Policy, ToolEntry, ToolHints, ToolRule } from './types.ts';
import { WORST_CASE_HINTS } from './types.ts';

const HINT_NAMES = ['readOnly', 'destructive', 'idempotent', 'openWorld'] as const;
const HTTP_METHOD = /^[A-Z]+$/;

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === 'object' && !Array.isArray(value);

const quoteList = (names: readonly string[]): string => names.join(', ');

/** Reports keys outside `allowed`; true when there were none. */
function checkKeys(raw: Record<string, unknown>, allowed: readonly string[], at: FieldPath, issues: Issue[]): boolean {
  let ok = true;
  for (const key of Object.keys(raw)) {
    if (!allowed.includes(key)) {
      issues.push({ at: [...at, key], message: `unknown field "${key}"; expected one of ${quoteList(allowed)}` });
      ok = false;
    }
  }
  return ok;
}

function readMapping(raw: unknown, at: FieldPath, issues: Issue[], what: string): Record<string, unknown> | undefined {
  if (raw === undefined || raw === null) return {};
  if (!isPlainObject(raw)) {
    issues.push({ at, message: `${what} must be a mapping, got ${describeType(raw)}` });
    return undefined;
  }
  return raw;
}

function describeType(value: unknown): string {
  if (Array.isArray(value)) return 'a list';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'a mapping' : `${typeof value} ${JSON.stringify(value)}`;
}

function readStringList(raw: unknown, at: FieldPath, issues: Issue[], what: string): string[] | undefined {
  if (!Array.isArray(raw)) {
    issues.push({ at, message: `${what} must be a list of strings, got ${describeType(raw)}` });
    return undefined;
  }
  const bad = raw.findIndex((item) => typeof item !== 'string' || item.trim() === '');
  if (bad >= 0) {
    issues.push({ at: [...at, bad], message: `${what} must be a list of non-empty strings, got ${JSON.stringify(raw[bad])}` });
    return undefined;
  }
  // A copy: the loaded policy is frozen, the caller's object must not be.
  return [...(raw as string[])];
}

function readBoolean(raw: unknown, at: FieldPath, issues: Issue[], fallback: boolean): boolean {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'boolean') {
    issues.push({ at, message: `must be true or false, got ${JSON.stringify(raw)}` });
    return fallback;
  }
  return raw;
}

function readHints(raw: unknown, at: FieldPath, issues: Issue[]): Partial<ToolHints> {
  const hints: Partial<ToolHints> = {};
  const mapping = readMapping(raw, at, issues, 'hints');
  if (!mapping) return hints;
  checkKeys(mapping, HINT_NAMES, at, issues);
  for (const name of HINT_NAMES) {
    if (mapping[name] !== undefined) hints[name] = readBoolean(mapping[name], [...at, name], issues, WORST_CASE_HINTS[name]);
  }
  return hints;
}

const TOOL_FIELDS = ['description', 'hints', 'scopes', 'fields', 'arguments', 'draft', 'http'];

function readTool(raw: unknown, at: FieldPath, issues: Issue[]): ToolEntry {
  const tool: ToolEntry = { hints: { ...WORST_CASE_HINTS }, scopes: [], http: false };
  const mapping = readMapping(raw, at, issues, 'a tool');
  if (!mapping) return tool;
  checkKeys(mapping, TOOL_FIELDS, at, issues);
  if (mapping.description !== undefined) {
    if (typeof mapping.description === 'string') tool.description = mapping.description;
    else issues.push({ at: [...at, 'description'], message: 'must be a string' });
  }
  tool.hints = { ...WORST_CASE_HINTS, ...readHints(mapping.hints, [...at, 'hints'], issues) };
  if (mapping.scopes !== undefined) tool.scopes = readStringList(mapping.scopes, [...at, 'scopes'], issues, 'scopes') ?? [];
  for (const key of ['fields', 'arguments'] as const) {
    if (mapping[key] !== undefined) {
      const list = readStringList(mapping[key], [...at, key], issues, key);
      if (list) tool[key] = list;
    }
  }
  if (mapping.draft !== undefined) {
    if (typeof mapping.draft === 'string' && mapping.draft !== '') tool.draft = mapping.draft;
    else issues.push({ at: [...at, 'draft'], message: 'must name the draft twin tool' });
  }
  tool.http = readBoolean(mapping.http, [...at, 'http'], issues, false);
  return tool;
}

function readEndpoint(raw: unknown, at: FieldPath, issues: Issue[]): EndpointRule | undefined {
  if (!isPlainObject(raw)) {
    issues.push({ at, message: `endpoint must be a mapping such as { host: api.example.com, methods: [GET], paths: ["/orders/*"] }, got ${describeType(raw)}` });
    return undefined;
  }
  checkKeys(raw, ['host', 'methods', 'paths'], at, issues);
  const endpoint: EndpointRule = {};
  if (raw.host !== undefined) {
    if (typeof raw.host === 'string' && raw.host !== '' && !raw.host.includes('/')) endpoint.host = raw.host.toLowerCase();
    else issues.push({ at: [...at, 'host'], message: `must be a host name such as api.example.com (no scheme or path), got ${JSON.stringify(raw.host)}` });
  }
  if (raw.methods !== undefined) {
    const methods = readStringList(raw.methods, [...at, 'methods'], issues, 'methods');
    if (methods) {
      endpoint.methods = methods.map((m) => m.toUpperCase());
      const bad = endpoint.methods.findIndex((m) => !HTTP_METHOD.test(m));
      if (bad >= 0) issues.push({ at: [...at, 'methods', bad], message: `"${methods[bad]}" is not an HTTP method` });
    }
  }
  if (raw.paths !== undefined) {
    const paths = readStringList(raw.paths, [...at, 'paths'], issues, 'paths');
    if (paths) {
      endpoint.paths = paths;
      const bad = paths.findIndex((p) => !p.startsWith('/'));
      if (bad >= 0) issues.push({ at: [...at, 'paths', bad], message: `a path glob starts with "/", got ${JSON.stringify(paths[bad])}` });
    }
  }
  if (Object.keys(raw).length === 0) issues.push({ at, message: 'an endpoint needs at least one of host, methods, paths' });
  return endpoint;
}

function readToolName(raw: unknown, at: FieldPath, issues: Issue[]): string | undefined {
  if (typeof raw === 'string' && raw.trim() !== '') return raw;
  issues.push({ at, message: `a tool name or glob (such as refund or "delete_*") is required, got ${JSON.stringify(raw) ?? 'nothing'}` });
  return undefined;
}

function readToolRule(raw: unknown, at: FieldPath, issues: Issue[]): ToolRule | undefined {
  // `- lookup_order` is shorthand for `- tool: lookup_order`.
  if (typeof raw === 'string') {
    const tool = readToolName(raw, at, issues);
    return tool === undefined ? undefined : { tool };
  }
  if (!isPlainObject(raw)) {
    issues.push({ at, message: `an entry must be a tool name or a mapping { tool, endpoint?, when? }, got ${describeType(raw)}` });
    return undefined;
  }
  checkKeys(raw, ['tool', 'endpoint', 'when'], at, issues);
  const tool = readToolName(raw.tool, [...at, 'tool'], issues);
  const rule: ToolRule = { tool: tool ?? '' };
  if (raw.endpoint !== undefined) rule.endpoint = readEndpoint(raw.endpoint, [...at, 'endpoint'], issues);
  if (raw.when !== undefined) rule.when = readCondition(raw.when, [...at, 'when'], issues);
  return rule;
}

function readApprovalRule(raw: unknown, at: FieldPath, issues: Issue[], roles: Record<string, string[]>): ApprovalRule | undefined {
  if (!isPlainObject(raw)) {
    issues.push({ at, message: `an approval rule must be a mapping { match, when?, approvers, minApprovals?, separationOfDuties?, expiresAfter? }, got ${describeType(raw)}` });
    return undefined;
  }
  checkKeys(raw, ['match', 'when', 'approvers', 'minApprovals', 'separationOfDuties', 'expiresAfter'], at, issues);
  const match: ApprovalMatch = {};
  if (!isPlainObject(raw.match)) {
    issues.push({ at: [...at, 'match'], message: 'match is required: { tool: NAME-OR-GLOB } and/or { hints: { destructive: true } }' });
  } else {
    checkKeys(raw.match, ['tool', 'hints'], [...at, 'match'], issues);
    if (raw.match.tool !== undefined) match.tool = readToolName(raw.match.tool, [...at, 'match', 'tool'], issues);
    if (raw.match.hints !== undefined) match.hints = readHints(raw.match.hints, [...at, 'match', 'hints'], issues);
    if (raw.match.tool === undefined && raw.match.hints === undefined) {
      issues.push({ at: [...at, 'match'], message: 'match needs a tool (name or glob), hints, or both' });
    }
  }
  const rule: ApprovalRule = { match, approvers: [], minApprovals: 1, separationOfDuties: false };
  if (raw.when !== undefined) rule.when = readCondition(raw.when, [...at, 'when'], issues);
  const approvers = raw.approvers === undefined ? undefined : readStringList(raw.approvers, [...at, 'approvers'], issues, 'approvers');
  if (raw.approvers === undefined || approvers?.length === 0) {
    issues.push({ at: [...at, 'approvers'], message: 'at least one approver role is required' });
  } else if (approvers) {
    rule.approvers = approvers;
    approvers.forEach((role, i) => {
      if (!Object.hasOwn(roles, role)) {
        const known = Object.keys(roles);
        issues.push({
          at: [...at, 'approvers'],
          lineAt: [...at, 'approvers', i],
          message: `role "${role}" is not defined in approvers${known.length ? ` (defined: ${quoteList(known)})` : ''}`,
        });
      }
    });
  }
  if (raw.minApprovals !== undefined) {
    if (Number.isInteger(raw.minApprovals) && (raw.minApprovals as number) >= 1) rule.minApprovals = raw.minApprovals as number;
    else issues.push({ at: [...at, 'minApprovals'], message: `must be a whole number of at least 1, got ${JSON.stringify(raw.minApprovals)}` });
  }
  rule.separationOfDuties = readBoolean(raw.separationOfDuties, [...at, 'separationOfDuties'], issues, false);
  if (raw.expiresAfter !== undefined) {
    if (typeof raw.expiresAfter === 'string' && parseDuration(raw.expiresAfter) !== null) rule.expiresAfter = raw.expiresAfter;
    else issues.push({ at: [...at, 'expiresAfter'], message: `must be a duration such as 30m, 24h or 7d, got ${JSON.stringify(raw.expiresAfter)}` });
  }
  return rule;
}

function readList<T>(raw: unknown, at: FieldPath, issues: Issue[], readItem: (item: unknown, at: FieldPath) => T | undefined): T[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    issues.push({ at, message: `must be a list, got ${describeType(raw)}` });
    return [];
  }
  return raw.flatMap((item, i) => {
    const read = readItem(item, [...at, i]);
    return read === undefined ? [] : [read];
  });
}

function readIdentity(raw: unknown, at: FieldPath, issues: Issue[], roles: Record<string, string[]>): IdentityPolicy {
  const identity: IdentityPolicy = { autonomy: 'read-only', allow: [], deny: [], approval: [] };
  const mapping = readMapping(raw, at, issues, 'an identity');
  if (!mapping) return identity;
  checkKeys(mapping, ['autonomy', 'allow', 'deny', 'approval'], at, issues);
  if (AUTONOMY_LEVELS.includes(mapping.autonomy as Autonomy)) {
    identity.autonomy = mapping.autonomy as Autonomy;
  } else {
    issues.push({
      at: mapping.autonomy === undefined ? at : [...at, 'autonomy'],
      message: `autonomy ${mapping.autonomy === undefined ? 'is required' : `${JSON.stringify(mapping.autonomy)} is not a level`}: one of ${quoteList(AUTONOMY_LEVELS)}`,
    });
  }
  identity.allow = readList(mapping.allow, [...at, 'allow'], issues, (item, where) => readToolRule(item, where, issues));
  identity.deny = readList(mapping.deny, [...at, 'deny'], issues, (item, where) => readToolRule(item, where, issues));
  identity.approval = readList(mapping.approval, [...at, 'approval'], issues, (item, where) => readApprovalRule(item, where, issues, roles));
  return identity;
}

function readRoles(raw: unknown, issues: Issue[]): Record<string, string[]> {
  const mapping = readMapping(raw, ['approvers'], issues, 'approvers');
  const roles: Array<[string, string[]]> = [];
  for (const [role, members] of Object.entries(mapping ?? {})) {
    const at = ['approvers', role];
    if (members === null) {
      roles.push([role, []]);
      continue;
    }
    const list = readStringList(members, at, issues, 'members');
    if (!list) continue;
    const badGroup = list.findIndex((m) => m.startsWith('group:') && m.length === 'group:'.length);
    if (badGroup >= 0) issues.push({ at: [...at, badGroup], message: 'group: needs a group name, as in group:finance-leads' });
    roles.push([role, list]);
  }
  return Object.fromEntries(roles);
}

/** Validates a parsed document; the policy is returned only when there is no issue. */
export function readPolicy(raw: unknown): { policy: Policy; issues: [] } | { policy: null; issues: Issue[] } {
  const issues: Issue[] = [];
  if (!isPlainObject(raw)) {
    return { policy: null, issues: [{ at: [], message: `a policy is a mapping with version, default, approvers, tools and identities, got ${describeType(raw)}` }] };
  }
  checkKeys(raw, ['version', 'default', 'approvers', 'tools', 'identities'], [], issues);
  let version = '';
  if (typeof raw.version === 'string' && raw.version !== '') version = raw.version;
  else if (typeof raw.version === 'number' && Number.isFinite(raw.version)) version = String(raw.version);
  else issues.push({ at: raw.version === undefined ? [] : ['version'], message: `version is required (a number or string that tool spans record), got ${JSON.stringify(raw.version) ?? 'nothing'}` });
  if (raw.default !== undefined && raw.default !== 'deny') {
    issues.push({ at: ['default'], message: `only "deny" is supported: a tool no rule allows is refused, got ${JSON.stringify(raw.default)}` });
  }
  const approvers = readRoles(raw.approvers, issues);
  const toolMapping = readMapping(raw.tools, ['tools'], issues, 'tools') ?? {};
  const tools = Object.fromEntries(Object.entries(toolMapping).map(([name, entry]) => [name, readTool(entry, ['tools', name], issues)]));
  const identityMapping = readMapping(raw.identities, ['identities'], issues, 'identities') ?? {};
  const identities = Object.fromEntries(
    Object.entries(identityMapping).map(([name, entry]) => [name, readIdentity(entry, ['identities', name], issues, approvers)]),
  );
  if (issues.length > 0) return { policy: null, issues };
  return { policy: { version, default: 'deny', approvers, tools, identities }, issues: [] };
}
