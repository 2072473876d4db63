// The policy document (runlens.policy.yaml) after validation, and what the engine answers.
// A validated Policy is plain JSON: the collector can serve it and the SDK can load it again with
// `loadPolicyObject`. Compiled matchers live beside it (see compile.ts), never inside it.

/** Autonomy of a service identity. `full` (production controls) is `write`; `off` refuses every run. */
export type Autonomy = 'read-only' | 'draft-only' | 'write' | 'full' | 'off';
export const AUTONOMY_LEVELS: readonly Autonomy[] = ['read-only', 'draft-only', 'write', 'full', 'off'];

/** Tool annotations named as in the Model Context Protocol. */
export interface ToolHints {
  readOnly: boolean;
  destructive: boolean;
  idempotent: boolean;
  openWorld: boolean;
}

/** MCP's worst case, taken by an omitted hint and by a tool missing from the catalogue. */
export const WORST_CASE_HINTS: Readonly<ToolHints> = Object.freeze({
  readOnly: false,
  destructive: true,
  idempotent: false,
  openWorld: true,
});

/** One entry of the `tools` catalogue. */
export interface ToolEntry {
  description?: string;
  /** Every hint resolved: omitted ones hold the worst case. */
  hints: ToolHints;
  /** Data scopes the tool touches, e.g. `payments:write`. */
  scopes: string[];
  /** Argument fields the tool may change. */
  fields?: string[];
  /** Every argument the tool takes, when the author lists them (used by lint only). */
  arguments?: string[];
  /** A twin tool that records the action as a draft instead of doing it (draft-only autonomy). */
  draft?: string;
  /** The tool calls HTTP: endpoint rules match its `url` and `method` arguments. */
  http: boolean;
}

export type ConditionValue = string | number | boolean | null;

/**
 * A comparison on one argument path (`amount`, `customer.id`, `items[0].sku`). Several operators
 * in one comparison must all hold. Nothing here is ever evaluated as code: `matches` is a regular
 * expression given as a string, compiled once at load.
 */
export interface ArgumentComparison {
  path: string;
  eq?: ConditionValue;
  ne?: ConditionValue;
  lt?: number;
  lte?: number;
  gt?: number;
  gte?: number;
  in?: ConditionValue[];
  matches?: string;
}

export type ArgumentCondition = ArgumentComparison | { all: ArgumentCondition[] } | { any: ArgumentCondition[] } | { not: ArgumentCondition };

export const COMPARISON_OPERATORS = ['eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'matches'] as const;
export type ComparisonOperator = (typeof COMPARISON_OPERATORS)[number];

/** Which HTTP calls an allow or deny entry covers; an omitted part does not constrain. */
export interface EndpointRule {
  /** Host name or glob (`*.shop.example`); `host:port` to pin a port. Case-insensitive. */
  host?: string;
  /** Upper-case HTTP methods. */
  methods?: string[];
  /** Path globs (`/orders/*`, `/orders/**`). */
  paths?: string[];
}

/** An entry of an identity's `allow` or `deny` list. */
export interface ToolRule {
  /** Tool name or glob (`delete_*`). */
  tool: string;
  endpoint?: EndpointRule;
  when?: ArgumentCondition;
}

export interface ApprovalMatch {
  tool?: string;
  hints?: Partial<ToolHints>;
}

export interface ApprovalRule {
  match: ApprovalMatch;
  when?: ArgumentCondition;
  /** Role names from `approvers`. */
  approvers: string[];
  minApprovals: number;
  /** The run's initiating user may not approve. */
  separationOfDuties: boolean;
  /** A duration such as `24h`, `30m`, `1h30m`; omitted: the request never expires. */
  expiresAfter?: string;
}

export interface IdentityPolicy {
  autonomy: Autonomy;
  allow: ToolRule[];
  deny: ToolRule[];
  approval: ApprovalRule[];
}

export interface Policy {
  version: string;
  default: 'deny';
  /** Role → members: user names, or `group:NAME` resolved by the caller. */
  approvers: Record<string, string[]>;
  tools: Record<string, ToolEntry>;
  identities: Record<string, IdentityPolicy>;
}

/** A validation problem. `message` is the whole line to print: `file:14: field: what is wrong`. */
export interface PolicyError {
  line: number | null;
  path: string;
  message: string;
}

export type PolicyResult = { ok: true; policy: Policy } | { ok: false; errors: PolicyError[] };

export type PolicyDecisionKind = 'allow' | 'deny' | 'approval_required' | 'draft';

/** Who must approve a call, carried by an `approval_required` decision. */
export interface ApprovalRequirement {
  /** Role names. */
  approvers: string[];
  /** Every member of those roles, de-duplicated; `group:NAME` entries are left for the caller to resolve. */
  members: string[];
  membersByRole: Record<string, string[]>;
  minApprovals: number;
  separationOfDuties: boolean;
  /** Null when the request never expires. */
  expiresAfterMs: number | null;
}

export interface Decision {
  decision: PolicyDecisionKind;
  /** Stable id of the deciding rule: `identities.support-agent.deny[0]`, `identities.x.autonomy`, `default`. */
  rule: string;
  /** What decided and why, naming the rule, the tool and the arguments that mattered. */
  reason: string;
  approval?: ApprovalRequirement;
  /** For `draft`: the catalogue's draft twin, when it names one. */
  draftTool?: string;
  policyVersion: string;
}

export interface PolicyToolCall {
  /** The service identity making the call. */
  service: string;
  tool: string;
  args: unknown;
  initiatingUser?: string | null;
}
