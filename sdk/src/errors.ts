// Errors the SDK throws to the agent. Each is exported by name so callers can catch it precisely.

export type BudgetName = 'maxTokens' | 'maxToolCalls' | 'maxCostUsd' | 'maxDurationMs';

/**
 * A run reached one of its caps, so the call that would have gone past it did not run (or, for
 * an llm call whose usage was only known afterwards, its answer is withheld). Fail closed: every
 * later llm or tool call of the run throws this again.
 */
export class BudgetExceededError extends Error {
  override name = 'BudgetExceededError';
  readonly budget: BudgetName;
  readonly limit: number;
  /** The value that reached the cap; null when it could not be known (a model with no price). */
  readonly value: number | null;

  constructor(budget: BudgetName, limit: number, value: number | null, detail?: string) {
    super(
      detail ??
        `run budget ${budget} exceeded: ${formatBudgetValue(budget, value)} against a limit of ${formatBudgetValue(budget, limit)}; ` +
          `raise budgets.${budget} in init() or run() if this run legitimately needs more`,
    );
    this.budget = budget;
    this.limit = limit;
    this.value = value;
  }
}

function formatBudgetValue(budget: BudgetName, value: number | null): string {
  if (value === null) return 'unknown';
  if (budget === 'maxCostUsd') return `$${value.toFixed(6).replace(/0+$/, '').replace(/\.$/, '')}`;
  if (budget === 'maxDurationMs') return `${Math.round(value)} ms`;
  if (budget === 'maxTokens') return `${value} tokens`;
  return `${value} tool calls`;
}

/** init() was given options it cannot use; the message names the option and what is expected. */
export class RunlensConfigError extends Error {
  override name = 'RunlensConfigError';
}

/** A top-level helper (`run`, `shutdown`) was used before `init()`. */
export class RunlensNotInitializedError extends Error {
  override name = 'RunlensNotInitializedError';
  constructor() {
    super('Runlens is not initialised: call init({ service }) from @runlens/sdk before run()');
  }
}

/**
 * The kill switch: an operator lowered this service's autonomy (`runlens autonomy set`, the
 * viewer, or PUT /api/autonomy/:service). Under `read-only` a tool not marked read-only did not
 * run; under `off` the run did not start.
 */
export class ActionsDisabledError extends Error {
  override name = 'ActionsDisabledError';
  readonly service: string;
  /** The level that refused: `read-only`, `draft-only` or `off`. */
  readonly level: string;
  /** The refused tool; null when a whole run was refused (`off`). */
  readonly tool: string | null;

  constructor(service: string, level: string, tool: string | null) {
    super(
      tool === null
        ? `service ${service} is switched off (autonomy ${level}): new runs are refused until an operator raises it (runlens autonomy set ${service} full)`
        : `tool ${tool} refused: service ${service} runs at autonomy ${level}, so only tools marked readOnly may run (mark read-only tools with init({ tools: { ${tool}: { readOnly: true } } }) or run.tool(…, { readOnly: true }))`,
    );
    this.service = service;
    this.level = level;
    this.tool = tool;
  }
}
