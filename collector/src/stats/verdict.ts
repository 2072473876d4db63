// The verdict vocabulary shared by the release gate (`runlens gate`) and `runlens eval`.

import type { Verdict } from '@runlens/schema';

export type { Verdict };

const SEVERITY_OF: Record<Verdict, number> = { pass: 0, inconclusive: 1, regression: 2 };

/** The most severe of several verdicts (regression > inconclusive > pass); `pass` for none. */
export function worstVerdict(verdicts: Iterable<Verdict>): Verdict {
  let worst: Verdict = 'pass';
  for (const verdict of verdicts) if (SEVERITY_OF[verdict] > SEVERITY_OF[worst]) worst = verdict;
  return worst;
}

/** Which direction of a metric is good: success rate is `higher`, error rate and p95 are `lower`. */
export type Better = 'higher' | 'lower';

/** Which way a one-sided test looks; `greater` asks "is the first quantity larger?". */
export type Alternative = 'two-sided' | 'greater' | 'less';
