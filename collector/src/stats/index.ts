// Statistics shared by the release gate (`runlens gate`) and the evaluation gate (`runlens eval`).
export type { Alternative, Better, Verdict } from './verdict.ts';
export { worstVerdict } from './verdict.ts';
export type { McNemarResult } from './mcnemar.ts';
export { mcnemarExact } from './mcnemar.ts';
export type { FisherResult, TwoByTwo } from './fisher.ts';
export { fisherExact } from './fisher.ts';
export type { MannWhitneyResult } from './mann-whitney.ts';
export { mannWhitneyU } from './mann-whitney.ts';
export { mean, quantile, quantileSorted } from './quantile.ts';
export type {
  CompareDistributionsOptions,
  CompareRatesOptions,
  DistributionComparison,
  RateComparison,
  RateSample,
} from './compare.ts';
export { DEFAULT_ALPHA, DEFAULT_MIN_RUNS, compareDistributions, compareRates, formatP } from './compare.ts';
export { binomialCdf, binomialUpperTail, logChoose } from './binomial.ts';
export { normalCdf } from './normal.ts';
