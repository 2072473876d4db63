import { describe, expect, it } from 'vitest';
import { binomialCdf, binomialUpperTail, logChoose } from './binomial.ts';
import { compareDistributions, compareRates } from './compare.ts';
import { fisherExact } from './fisher.ts';
import { mannWhitneyU } from './mann-whitney.ts';
import { mcnemarExact } from './mcnemar.ts';
import { normalCdf } from './normal.ts';
import { mean, quantile } from './quantile.ts';
import { worstVerdict } from './verdict.ts';

describe('binomial probabilities', () => {
  it('logChoose matches exact binomial coefficients, also where they overflow a double', () => {
    expect(Math.exp(logChoose(10, 3))).toBeCloseTo(120, 9);
    expect(Math.exp(logChoose(52, 5))).toBeCloseTo(2_598_960, 3);
    // ln C(2000, 1000) = lgamma(2001) − 2 lgamma(1001) (Python's math.lgamma).
    expect(logChoose(2000, 1000)).toBeCloseTo(1382.26799353748, 8);
    expect(logChoose(5, 6)).toBe(Number.NEGATIVE_INFINITY);
  });

  it('tails are summed directly so tiny probabilities survive', () => {
    // P(X ≤ 2 | n = 12, ½) = (1 + 12 + 66) / 4096.
    expect(binomialCdf(2, 12, 0.5)).toBeCloseTo(79 / 4096, 14);
    // P(X ≥ 1000 | n = 1000, ½) = 2^−1000 ≈ 9.33e−302, far below 1 − cdf's resolution.
    expect(binomialUpperTail(1000, 1000, 0.5) / 2 ** -1000).toBeCloseTo(1, 9);
  });
});

describe('mcnemarExact', () => {
  it('gives the two-sided exact p-value 2·P(X ≤ min(b, c)) of the discordant pairs', () => {
    // b = 10, c = 2: 2 · (C(12,0) + C(12,1) + C(12,2)) / 2¹² = 158 / 4096.
    const result = mcnemarExact(10, 2);
    expect(result.n).toBe(12);
    expect(result.pValue).toBeCloseTo(158 / 4096, 12);
  });

  it('gives one-sided p-values from the binomial tail in the asked direction', () => {
    expect(mcnemarExact(10, 2, 'greater').pValue).toBeCloseTo(79 / 4096, 12);
    // P(X ≤ 10 | n = 12, ½) = 1 − (C(12,11) + C(12,12)) / 4096.
    expect(mcnemarExact(10, 2, 'less').pValue).toBeCloseTo(4083 / 4096, 12);
    // All five discordant pairs one way: (½)⁵ one-sided, twice that two-sided.
    expect(mcnemarExact(5, 0, 'greater').pValue).toBeCloseTo(1 / 32, 14);
    expect(mcnemarExact(5, 0).pValue).toBeCloseTo(1 / 16, 14);
    // Four discordant pairs can never reach 0.05 one-sided: (½)⁴ = 0.0625.
    expect(mcnemarExact(4, 0, 'greater').pValue).toBeCloseTo(0.0625, 14);
  });

  it('is 1 when there are no discordant pairs or they split evenly', () => {
    expect(mcnemarExact(0, 0).pValue).toBe(1);
    expect(mcnemarExact(3, 3).pValue).toBe(1);
  });

  it('stays exact for thousands of pairs', () => {
    // scipy.stats.binomtest(1100, 2000, 0.5).pvalue
    expect(mcnemarExact(1100, 900).pValue).toBeCloseTo(8.45708953550381e-6, 12);
    expect(mcnemarExact(1000, 0, 'greater').pValue / 2 ** -1000).toBeCloseTo(1, 9);
  });

  it('refuses counts that are not non-negative integers', () => {
    expect(() => mcnemarExact(-1, 2)).toThrow(/b must be a non-negative integer/);
    expect(() => mcnemarExact(1, 2.5)).toThrow(/c must be a non-negative integer/);
  });
});

describe('fisherExact', () => {
  it("reproduces the lady tasting tea: 17/70 one-sided, 34/70 two-sided", () => {
    expect(fisherExact([[3, 1], [1, 3]], 'greater').pValue).toBeCloseTo(17 / 70, 12);
    expect(fisherExact([[3, 1], [1, 3]]).pValue).toBeCloseTo(34 / 70, 12);
    expect(fisherExact([[3, 1], [1, 3]], 'less').pValue).toBeCloseTo(69 / 70, 12);
  });

  it('matches the textbook dieting example and SciPy', () => {
    // Wikipedia "Fisher's exact test": [[1, 9], [11, 3]], exact sums over hypergeometric tables.
    expect(fisherExact([[1, 9], [11, 3]]).pValue).toBeCloseTo(0.0027594561852200836, 12);
    expect(fisherExact([[1, 9], [11, 3]], 'less').pValue).toBeCloseTo(0.0013797280926100418, 12);
    // scipy.stats.fisher_exact([[45, 5], [35, 15]], alternative='greater')
    expect(fisherExact([[45, 5], [35, 15]], 'greater').pValue).toBeCloseTo(0.011417490505707758, 12);
  });
});

describe('mannWhitneyU', () => {
  it('is exact for small samples without ties', () => {
    // Three values all above three others: 1 of C(6,3) = 20 arrangements.
    const result = mannWhitneyU([4, 5, 6], [1, 2, 3], 'greater');
    expect(result).toMatchObject({ u: 9, method: 'exact' });
    expect(result.pValue).toBeCloseTo(1 / 20, 14);
    expect(mannWhitneyU([4, 5, 6], [1, 2, 3]).pValue).toBeCloseTo(2 / 20, 14);
    expect(mannWhitneyU([1, 2, 3], [4, 5, 6], 'less').pValue).toBeCloseTo(1 / 20, 14);
    // m = n = 2: the six arrangements give U = 0, 1, 2, 2, 3, 4, so P(U ≥ 3) = 2/6.
    expect(mannWhitneyU([2, 4], [1, 3], 'greater').pValue).toBeCloseTo(2 / 6, 14);
    // scipy.stats.mannwhitneyu(x, y, alternative='greater', method='exact')
    const x = [1.5, 2.7, 3.1, 4.8, 5.2, 6.6, 7.9, 8.1];
    const y = [0.4, 1.1, 2.0, 2.2, 3.3, 3.9, 4.1];
    expect(mannWhitneyU(x, y, 'greater')).toMatchObject({ u: 45 });
    expect(mannWhitneyU(x, y, 'greater').pValue).toBeCloseTo(0.027039627039627038, 12);
    expect(mannWhitneyU(x, y).pValue).toBeCloseTo(0.054079254079254076, 12);
  });

  it('uses the normal approximation with tie and continuity corrections when values tie', () => {
    // scipy.stats.mannwhitneyu(x, y, method='asymptotic', use_continuity=True)
    const x = [1, 2, 2, 3, 5, 7];
    const y = [2, 3, 3, 4, 6, 8, 9];
    const less = mannWhitneyU(x, y, 'less');
    expect(less).toMatchObject({ u: 12, method: 'normal' });
    expect(less.pValue).toBeCloseTo(0.10975097014995411, 6);
    expect(mannWhitneyU(x, y).pValue).toBeCloseTo(0.21950194029990822, 6);
  });

  it('uses the normal approximation for large samples', () => {
    const x = Array.from({ length: 60 }, (_, i) => 100 + i);
    const y = x.map((value) => value - 7.5);
    const result = mannWhitneyU(x, y, 'greater');
    expect(result).toMatchObject({ u: 2222, method: 'normal' });
    expect(result.pValue).toBeCloseTo(0.01347292809782148, 6);
  });

  it('says the samples cannot be told apart when every value ties', () => {
    expect(mannWhitneyU([5, 5, 5], [5, 5, 5], 'greater').pValue).toBe(1);
  });
});

describe('quantiles', () => {
  it('interpolate between order statistics like R and NumPy (type 7)', () => {
    expect(quantile([1, 2, 3, 4, 5, 6, 7, 8, 9, 10], 0.95)).toBeCloseTo(9.55, 12);
    expect(quantile([3, 1, 2], 0.5)).toBe(2);
    expect(quantile([10, 20], 0.25)).toBe(12.5);
    expect(quantile([7], 0.99)).toBe(7);
    expect(quantile([], 0.5)).toBeNull();
    expect(mean([1, 2, 6])).toBe(3);
  });

  it('standard normal distribution matches tables', () => {
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(1.959963985)).toBeCloseTo(0.975, 6);
    expect(normalCdf(-1.644853627)).toBeCloseTo(0.05, 6);
  });
});

describe('compareRates', () => {
  it('says "inconclusive: too few runs" instead of passing a small sample', () => {
    const result = compareRates({ events: 5, runs: 5 }, { events: 5, runs: 5 }, { better: 'higher' });
    expect(result.verdict).toBe('inconclusive');
    expect(result.reason).toMatch(/^inconclusive: too few runs \(baseline 5, candidate 5; at least 20 each/);
  });

  it('passes a candidate that is not worse', () => {
    const result = compareRates({ events: 90, runs: 100 }, { events: 93, runs: 100 }, { better: 'higher' });
    expect(result.verdict).toBe('pass');
    expect(result.difference).toBeCloseTo(0.03, 12);
  });

  it('flags a success-rate drop the exact test calls significant as a regression', () => {
    // Baseline 45/50, candidate 35/50: Fisher one-sided p = 0.0114 (SciPy).
    const result = compareRates({ events: 45, runs: 50 }, { events: 35, runs: 50 }, { better: 'higher' });
    expect(result.verdict).toBe('regression');
    expect(result.pValue).toBeCloseTo(0.011417490505707758, 10);
    expect(result.reason).toContain('90% → 70% (−20 points)');
  });

  it('flags a rise in an error rate (lower is better) as a regression', () => {
    const result = compareRates({ events: 5, runs: 50 }, { events: 15, runs: 50 }, { better: 'lower' });
    expect(result.verdict).toBe('regression');
    // Same table as above seen from the error side.
    expect(result.pValue).toBeCloseTo(0.011417490505707758, 10);
  });

  it('reports a drop it cannot tell from noise as inconclusive, not pass', () => {
    const result = compareRates({ events: 45, runs: 50 }, { events: 43, runs: 50 }, { better: 'higher' });
    expect(result.verdict).toBe('inconclusive');
    expect(result.reason).toMatch(/could be noise/);
  });

  it('accepts a drop within the tolerance', () => {
    const result = compareRates({ events: 45, runs: 50 }, { events: 44, runs: 50 }, { better: 'higher', tolerance: 0.05 });
    expect(result.verdict).toBe('pass');
  });
});

describe('compareDistributions', () => {
  const baseline = Array.from({ length: 40 }, (_, i) => 1000 + i * 10);

  it('passes durations that did not get slower', () => {
    expect(compareDistributions(baseline, baseline.map((v) => v - 50)).verdict).toBe('pass');
  });

  it('flags a clear slowdown as a regression and reports the p95 change', () => {
    const slower = baseline.map((v) => v * 1.5);
    const result = compareDistributions(baseline, slower);
    expect(result.verdict).toBe('regression');
    expect(result.baseline).toBeCloseTo(quantile(baseline, 0.95)!, 9);
    expect(result.relativeChange).toBeCloseTo(0.5, 9);
    expect(result.pValue).toBeLessThan(0.001);
    expect(result.reason).toMatch(/^p95 /);
  });

  it('calls a small, noisy increase inconclusive', () => {
    const result = compareDistributions(baseline, baseline.map((v) => v + 5));
    expect(result.verdict).toBe('inconclusive');
  });

  it('judges cost per run on the mean when asked, with a relative tolerance', () => {
    const costs = Array.from({ length: 30 }, (_, i) => 0.01 + i * 0.001);
    const dearer = costs.map((v) => v * 1.05);
    expect(compareDistributions(costs, dearer, { statistic: 'mean', tolerance: 0.1 }).verdict).toBe('pass');
    expect(compareDistributions(costs, dearer, { statistic: 'mean' }).reason).toMatch(/^inconclusive: mean/);
  });

  it('needs enough runs on both sides', () => {
    expect(compareDistributions([1, 2], [3, 4]).reason).toMatch(/too few runs/);
  });
});

it('the worst verdict wins: regression over inconclusive over pass', () => {
  expect(worstVerdict([])).toBe('pass');
  expect(worstVerdict(['pass', 'inconclusive'])).toBe('inconclusive');
  expect(worstVerdict(['inconclusive', 'regression', 'pass'])).toBe('regression');
});
