// What a single check's evaluator answers; the dispatcher (run.ts) turns it into a CheckResult.

export interface CheckOutcome {
  passed: boolean;
  /** Defaults to 1 for a pass and 0 for a fail. */
  score?: number;
  explanation: string;
  /** The span the result is about, when it is not the root span (e.g. the offending tool call). */
  spanId?: string | null;
}
