// The run model: one trace's spans in, one Run out. Pure, so the store can rebuild a run from its
// stored spans after every batch, whatever order the spans arrived in (design.md, "Canonical model").
import type { RunSpanInput } from './otlp.ts';
import type { Run, RunOutcome, RunVersions } from './types.ts';

/** Derives the run of one trace from the spans received so far. */
export function deriveRun(traceId: string, spans: RunSpanInput[]): Run {
  const ordered = [...spans].sort(compareStart);
  const byId = new Map(ordered.map((span) => [span.spanId, span]));
  const root = ordered.find((span) => span.parentSpanId === null) ?? null;
  const counted = leafLlmSpans(ordered, byId);

  let minStart: bigint | null = null;
  let maxEnd: bigint | null = null;
  for (const span of ordered) {
    if (minStart === null || span.startNs < minStart) minStart = span.startNs;
    const end = span.endNs > span.startNs ? span.endNs : span.startNs;
    if (maxEnd === null || end > maxEnd) maxEnd = end;
  }

  // Facts are looked up on the root first, then on the other spans in start order.
  const factOrder = root ? [root, ...ordered.filter((span) => span !== root)] : ordered;
  const firstFact = <T>(pick: (span: RunSpanInput) => T | null): T | null => {
    for (const span of factOrder) {
      const value = pick(span);
      if (value !== null && value !== undefined) return value;
    }
    return null;
  };

  const escalation = firstFact((span) => span.facts.escalation);
  const budget = firstFact((span) => span.facts.budgetExceeded);
  const { outcome, outcomeReason } = decideOutcome(root, firstFact((span) => span.facts.outcome), escalation, budget);

  let inputTokens = 0;
  let outputTokens = 0;
  let cachedTokens = 0;
  let cost: number | null = 0;
  for (const span of counted) {
    inputTokens += span.inputTokens ?? 0;
    outputTokens += span.outputTokens ?? 0;
    cachedTokens += span.cachedTokens ?? 0;
    const hasTokens = (span.inputTokens ?? 0) > 0 || (span.outputTokens ?? 0) > 0;
    // An llm call with tokens but no price makes the run's cost unknown, never a guess.
    if (span.costUsd === null) {
      if (hasTokens) cost = null;
    } else if (cost !== null) {
      cost += span.costUsd;
    }
  }

  const tools = ordered.filter((span) => span.kind === 'tool');
  const versions: RunVersions = {
    model: mostFrequentModel(counted),
    prompt: firstFact((span) => span.facts.promptVersion),
    policy: firstFact((span) => span.facts.policyVersion),
    app: firstFact((span) => span.facts.appVersion),
  };

  return {
    traceId,
    name: root?.name ?? null,
    service: root?.service ?? firstFact((span) => span.service),
    agent: agentName(ordered, byId, root),
    userId: firstFact((span) => span.facts.userId),
    sessionId: firstFact((span) => span.facts.sessionId),
    versions,
    startTime: minStart === null ? 0 : nsToMs(minStart),
    durationMs: minStart === null || maxEnd === null ? 0 : Number(maxEnd - minStart) / 1e6,
    outcome,
    llmCalls: counted.length,
    toolCalls: tools.length,
    toolErrors: tools.filter((span) => span.status === 'error').length,
    inputTokens,
    outputTokens,
    cachedTokens,
    costUsd: cost,
    escalated: escalation !== null || outcome === 'escalated',
    budgetExceeded: budget !== null || outcome === 'budget_exceeded',
    policyViolations: ordered.reduce((sum, span) => sum + span.facts.policyViolations, 0),
    spanCount: ordered.length,
    outcomeReason,
  };
}

/**
 * A readable label of the versions that identify a release (prompt, policy, app), e.g.
 * `prompt=v2 app=1.4.0`; '' when none is known. The model is a dimension of its own.
 * Dashboards, filters and the release gate all use this one spelling.
 */
export function versionLabel(versions: Pick<RunVersions, 'prompt' | 'policy' | 'app'>): string {
  const parts: string[] = [];
  if (versions.prompt !== null) parts.push(`prompt=${versions.prompt}`);
  if (versions.policy !== null) parts.push(`policy=${versions.policy}`);
  if (versions.app !== null) parts.push(`app=${versions.app}`);
  return parts.join(' ');
}

/** Epoch milliseconds (with sub-millisecond fraction) of a nanosecond timestamp. */
export function nsToMs(ns: bigint): number {
  return Number(ns / 1_000_000n) + Number(ns % 1_000_000n) / 1e6;
}

function compareStart(a: RunSpanInput, b: RunSpanInput): number {
  if (a.startNs !== b.startNs) return a.startNs < b.startNs ? -1 : 1;
  return a.spanId < b.spanId ? -1 : a.spanId > b.spanId ? 1 : 0;
}

function decideOutcome(
  root: RunSpanInput | null,
  explicit: Exclude<RunOutcome, 'running'> | null,
  escalation: string | null,
  budget: string | null,
): { outcome: RunOutcome; outcomeReason: string | null } {
  if (root === null) return { outcome: 'running', outcomeReason: null };
  const failureReason = root.statusMessage || root.errorType || null;
  const reasons: Record<Exclude<RunOutcome, 'running'>, string | null> = {
    success: null,
    failure: failureReason,
    escalated: escalation || null,
    budget_exceeded: budget || null,
  };
  let outcome: Exclude<RunOutcome, 'running'>;
  if (explicit !== null) outcome = explicit;
  else if (root.status === 'error') outcome = 'failure';
  else if (escalation !== null) outcome = 'escalated';
  else if (budget !== null) outcome = 'budget_exceeded';
  else outcome = 'success';
  return { outcome, outcomeReason: reasons[outcome] };
}

/**
 * The llm spans whose usage counts: those with no llm descendant. Root and agent spans (GenAI
 * `invoke_agent`, Vercel `ai.generateText`) repeat the per-step totals of the calls below them
 * (conventions.md rule 3), so only the innermost calls are summed.
 */
function leafLlmSpans(ordered: RunSpanInput[], byId: Map<string, RunSpanInput>): RunSpanInput[] {
  const hasLlmDescendant = new Set<string>();
  for (const span of ordered) {
    if (span.kind !== 'llm') continue;
    const seen = new Set<string>([span.spanId]);
    let parentId = span.parentSpanId;
    // Walk up to the root; `seen` guards against a malformed trace whose parents form a cycle.
    while (parentId !== null && !seen.has(parentId)) {
      seen.add(parentId);
      hasLlmDescendant.add(parentId);
      parentId = byId.get(parentId)?.parentSpanId ?? null;
    }
  }
  return ordered.filter((span) => span.kind === 'llm' && !hasLlmDescendant.has(span.spanId));
}

/** The model used most often; on a tie, the one called first. */
function mostFrequentModel(llmSpans: RunSpanInput[]): string | null {
  const counts = new Map<string, number>();
  for (const span of llmSpans) if (span.model !== null) counts.set(span.model, (counts.get(span.model) ?? 0) + 1);
  let best: string | null = null;
  let bestCount = 0;
  // Map iteration follows insertion order, which is start order: `>` keeps the first on a tie.
  for (const [model, count] of counts) {
    if (count > bestCount) {
      best = model;
      bestCount = count;
    }
  }
  return best;
}

/** The outermost agent span's name (nested agents are steps of the outer one), else the root's. */
function agentName(ordered: RunSpanInput[], byId: Map<string, RunSpanInput>, root: RunSpanInput | null): string | null {
  let best: string | null = null;
  let bestDepth = Infinity;
  for (const span of ordered) {
    if (span.kind !== 'agent' || span.facts.agentName === null) continue;
    const depth = depthOf(span, byId);
    if (depth < bestDepth) {
      best = span.facts.agentName;
      bestDepth = depth;
    }
  }
  return best ?? root?.facts.agentName ?? null;
}

function depthOf(span: RunSpanInput, byId: Map<string, RunSpanInput>): number {
  let depth = 0;
  const seen = new Set<string>([span.spanId]);
  let parentId = span.parentSpanId;
  while (parentId !== null && !seen.has(parentId)) {
    seen.add(parentId);
    depth++;
    parentId = byId.get(parentId)?.parentSpanId ?? null;
  }
  return depth;
}
