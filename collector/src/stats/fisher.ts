// Fisher's exact test for a 2×2 table (Fisher 1922; Agresti, "Categorical Data Analysis",
// 3rd ed., §3.5.1). With the margins fixed, the top-left count X is hypergeometric:
//   P(X = x) = C(a+b, x) · C(c+d, a+c−x) / C(N, a+c)
// one-sided p-values are its tails; the two-sided p-value sums every table at most as likely
// as the observed one (the convention of R's fisher.test and SciPy).

import { logHypergeometricPmf, logSumExp } from './binomial.ts';
import type { Alternative } from './verdict.ts';

/** [[a, b], [c, d]]: rows are the two groups, columns "event" and "no event". */
export type TwoByTwo = readonly [readonly [number, number], readonly [number, number]];

export interface FisherResult {
  alternative: Alternative;
  pValue: number;
}

// Tables whose probability equals the observed one up to rounding must count as "as likely".
const RELATIVE_TOLERANCE = 1 + 1e-7;

/**
 * `greater` asks whether the first row's event share (a) is larger than the null allows,
 * `less` whether it is smaller.
 */
export function fisherExact(table: TwoByTwo, alternative: Alternative = 'two-sided'): FisherResult {
  const [[a, b], [c, d]] = table;
  for (const value of [a, b, c, d]) {
    if (!Number.isInteger(value) || value < 0) {
      throw new RangeError(`fisherExact: every cell must be a non-negative integer count, got ${value}`);
    }
  }
  const total = a + b + c + d;
  const rowOne = a + b;
  const events = a + c;
  const low = Math.max(0, rowOne + events - total);
  const high = Math.min(rowOne, events);
  const logP = (x: number): number => logHypergeometricPmf(x, total, events, rowOne);

  const logs: number[] = [];
  if (alternative === 'greater') {
    for (let x = a; x <= high; x++) logs.push(logP(x));
  } else if (alternative === 'less') {
    for (let x = low; x <= a; x++) logs.push(logP(x));
  } else {
    const observed = logP(a) + Math.log(RELATIVE_TOLERANCE);
    for (let x = low; x <= high; x++) {
      const lp = logP(x);
      if (lp <= observed) logs.push(lp);
    }
  }
  const pValue = logs.length === 0 ? 0 : Math.min(1, Math.exp(logSumExp(logs)));
  return { alternative, pValue };
}
