// Per-run budgets that fail closed. A run's spending also counts against every enclosing run,
// so a sub-agent called from a tool cannot spend past its parent's caps.
import { BudgetExceededError, RunlensConfigError, type BudgetName } from './errors.ts';

export interface Budgets {
  /** Input + output tokens of the run's llm calls. */
  maxTokens?: number;
  /** Tool calls started by the run (a blocked call is not counted). */
  maxToolCalls?: number;
  /** Spend of the run's llm calls, in US dollars. */
  maxCostUsd?: number;
  /** Wall-clock time since the run started. */
  maxDurationMs?: number;
}

const BUDGET_NAMES: readonly BudgetName[] = ['maxTokens', 'maxToolCalls', 'maxCostUsd', 'maxDurationMs'];

export function validateBudgets(budgets: Budgets | undefined, where: string): Budgets {
  if (!budgets) return {};
  for (const [name, value] of Object.entries(budgets)) {
    if (!BUDGET_NAMES.includes(name as BudgetName)) {
      throw new RunlensConfigError(`${where}: unknown budget '${name}'; budgets are ${BUDGET_NAMES.join(', ')}`);
    }
    if (value !== undefined && !(typeof value === 'number' && value >= 0)) {
      throw new RunlensConfigError(`${where}: budgets.${name} must be a number >= 0, got ${String(value)}`);
    }
  }
  return budgets;
}

/** What one run has spent so far, and its caps. */
export class BudgetLedger {
  readonly limits: Budgets;
  readonly parent: BudgetLedger | null;
  readonly startedAt: number;
  tokens = 0;
  toolCalls = 0;
  costUsd = 0;
  /** Set once a cap was hit: the run is closed to further llm and tool calls. */
  exceeded: BudgetExceededError | null = null;

  constructor(limits: Budgets, parent: BudgetLedger | null, startedAt: number) {
    this.limits = limits;
    this.parent = parent;
    this.startedAt = startedAt;
  }

  /**
   * Before an llm call: closed if a cap was already hit, tokens or spend already at their cap,
   * or time is up. Returns the ledger whose cap stops the call and the error, or null.
   */
  checkBeforeLlm(now: number): BudgetBreach | null {
    return this.#firstBreach((ledger) => ledger.#beforeLlm(now));
  }

  /** Before a tool call: as for llm calls, plus the call that would pass maxToolCalls. */
  checkBeforeTool(now: number): BudgetBreach | null {
    return this.#firstBreach((ledger) => ledger.#beforeLlm(now) ?? ledger.#toolCallBreach(ledger.toolCalls + 1));
  }

  /** Counts a started tool call in this run and every enclosing run. */
  countToolCall(): void {
    for (let ledger: BudgetLedger | null = this; ledger; ledger = ledger.parent) ledger.toolCalls++;
  }

  /**
   * Adds an llm call's usage to this run and every enclosing run, then checks the caps.
   * `costUsd` null means the price is unknown: with a maxCostUsd cap that fails closed.
   */
  chargeLlm(tokens: number, costUsd: number | null, model: string, now: number): BudgetBreach | null {
    for (let ledger: BudgetLedger | null = this; ledger; ledger = ledger.parent) {
      ledger.tokens += tokens;
      if (costUsd !== null) ledger.costUsd += costUsd;
    }
    return this.#firstBreach((ledger) => {
      const { maxTokens, maxCostUsd, maxDurationMs } = ledger.limits;
      if (maxTokens !== undefined && ledger.tokens > maxTokens) {
        return new BudgetExceededError('maxTokens', maxTokens, ledger.tokens);
      }
      if (maxCostUsd !== undefined && costUsd === null) {
        return new BudgetExceededError(
          'maxCostUsd',
          maxCostUsd,
          null,
          `run budget maxCostUsd cannot be enforced: the cost of the llm call to model '${model}' is unknown ` +
            `(no price for it and no explicit costUsd); pass costUsd via call.record({ costUsd }) or remove budgets.maxCostUsd`,
        );
      }
      if (maxCostUsd !== undefined && ledger.costUsd > maxCostUsd) {
        return new BudgetExceededError('maxCostUsd', maxCostUsd, ledger.costUsd);
      }
      const elapsed = now - ledger.startedAt;
      if (maxDurationMs !== undefined && elapsed > maxDurationMs) {
        return new BudgetExceededError('maxDurationMs', maxDurationMs, elapsed);
      }
      return null;
    });
  }

  #beforeLlm(now: number): BudgetExceededError | null {
    if (this.exceeded) return this.exceeded;
    const { maxTokens, maxCostUsd, maxDurationMs } = this.limits;
    if (maxTokens !== undefined && this.tokens >= maxTokens) {
      return new BudgetExceededError('maxTokens', maxTokens, this.tokens);
    }
    if (maxCostUsd !== undefined && this.costUsd >= maxCostUsd) {
      return new BudgetExceededError('maxCostUsd', maxCostUsd, this.costUsd);
    }
    const elapsed = now - this.startedAt;
    if (maxDurationMs !== undefined && elapsed >= maxDurationMs) {
      return new BudgetExceededError('maxDurationMs', maxDurationMs, elapsed);
    }
    return null;
  }

  #toolCallBreach(wouldBe: number): BudgetExceededError | null {
    const { maxToolCalls } = this.limits;
    if (maxToolCalls !== undefined && wouldBe > maxToolCalls) {
      return new BudgetExceededError('maxToolCalls', maxToolCalls, wouldBe);
    }
    return null;
  }

  #firstBreach(check: (ledger: BudgetLedger) => BudgetExceededError | null): BudgetBreach | null {
    for (let ledger: BudgetLedger | null = this; ledger; ledger = ledger.parent) {
      const error = check(ledger);
      if (error) {
        const fresh = ledger.exceeded === null;
        ledger.exceeded ??= error;
        return { ledger, error, fresh };
      }
    }
    return null;
  }
}

export interface BudgetBreach {
  /** The run whose cap was hit (this run or an enclosing one). */
  ledger: BudgetLedger;
  error: BudgetExceededError;
  /** True the first time this run's cap was hit (record the event once). */
  fresh: boolean;
}
