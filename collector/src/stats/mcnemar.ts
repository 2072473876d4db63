// McNemar's exact test for paired binary outcomes (McNemar 1947; exact form: the conditional
// binomial test, e.g. Agresti, "Categorical Data Analysis", 3rd ed., §11.1.4).
//
// For pairs judged twice (a case under the baseline and under the candidate), only discordant
// pairs carry information: b = pairs that went from pass to fail, c = from fail to pass. Under
// the null hypothesis (no change) each discordant pair is equally likely to fall either way, so
// b ~ Binomial(n = b + c, ½), and
//   one-sided (greater, "b is larger"): p = P(X ≥ b) = Σ_{i=b}^{n} C(n, i) / 2ⁿ
//   one-sided (less,    "b is smaller"): p = P(X ≤ b)
//   two-sided: p = min(1, 2 · P(X ≤ min(b, c)))  (the distribution is symmetric at p = ½).

import { binomialCdf, binomialUpperTail } from './binomial.ts';
import type { Alternative } from './verdict.ts';

export interface McNemarResult {
  /** Discordant pairs of the first kind (for the eval gate: passed in the baseline, failed now). */
  b: number;
  /** Discordant pairs of the other kind (failed in the baseline, pass now). */
  c: number;
  /** b + c: the number of pairs the test is about. */
  n: number;
  alternative: Alternative;
  pValue: number;
}

export function mcnemarExact(b: number, c: number, alternative: Alternative = 'two-sided'): McNemarResult {
  for (const [name, value] of [['b', b], ['c', c]] as const) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`mcnemarExact: ${name} must be a non-negative integer count of pairs, got ${value}`);
    }
  }
  const n = b + c;
  let pValue: number;
  if (n === 0) pValue = 1;
  else if (alternative === 'greater') pValue = binomialUpperTail(b, n, 0.5);
  else if (alternative === 'less') pValue = binomialCdf(b, n, 0.5);
  else pValue = Math.min(1, 2 * binomialCdf(Math.min(b, c), n, 0.5));
  return { b, c, n, alternative, pValue };
}
