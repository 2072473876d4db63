// Binomial and hypergeometric probabilities computed in log space, so that n in the thousands
// neither overflows (C(2000, 1000) ≈ 10^600) nor underflows (0.5^2000) a double.

// Lanczos approximation of ln Γ(x) (g = 7, n = 9; Numerical Recipes, 3rd ed., §6.1),
// accurate to about 15 significant digits for x > 0.
const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

export function logGamma(x: number): number {
  if (x < 0.5) {
    // Reflection formula: Γ(x) Γ(1 − x) = π / sin(πx).
    return Math.log(Math.PI / Math.abs(Math.sin(Math.PI * x))) - logGamma(1 - x);
  }
  const z = x - 1;
  let sum = LANCZOS[0]!;
  for (let i = 1; i < LANCZOS.length; i++) sum += LANCZOS[i]! / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** ln n! = ln Γ(n + 1); exact table for small n, where most calls land. */
const SMALL_LOG_FACTORIALS: number[] = [0];
for (let n = 1; n <= 255; n++) SMALL_LOG_FACTORIALS[n] = SMALL_LOG_FACTORIALS[n - 1]! + Math.log(n);

export function logFactorial(n: number): number {
  return n <= 255 ? SMALL_LOG_FACTORIALS[n]! : logGamma(n + 1);
}

/** ln C(n, k) = ln n! − ln k! − ln (n − k)!; −∞ outside 0 ≤ k ≤ n. */
export function logChoose(n: number, k: number): number {
  if (k < 0 || k > n) return Number.NEGATIVE_INFINITY;
  return logFactorial(n) - logFactorial(k) - logFactorial(n - k);
}

/** ln P(X = k) for X ~ Binomial(n, p): ln C(n,k) + k ln p + (n−k) ln(1−p). */
export function logBinomialPmf(k: number, n: number, p: number): number {
  if (k < 0 || k > n) return Number.NEGATIVE_INFINITY;
  if (p === 0) return k === 0 ? 0 : Number.NEGATIVE_INFINITY;
  if (p === 1) return k === n ? 0 : Number.NEGATIVE_INFINITY;
  return logChoose(n, k) + k * Math.log(p) + (n - k) * Math.log1p(-p);
}

/** ln(Σ exp(xᵢ)) without overflow: factor out the largest term. */
export function logSumExp(logs: readonly number[]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const x of logs) if (x > max) max = x;
  if (max === Number.NEGATIVE_INFINITY) return max;
  let sum = 0;
  for (const x of logs) sum += Math.exp(x - max);
  return max + Math.log(sum);
}

/** P(X ≤ k) for X ~ Binomial(n, p). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n) return 1;
  const logs: number[] = [];
  for (let i = 0; i <= k; i++) logs.push(logBinomialPmf(i, n, p));
  return Math.min(1, Math.exp(logSumExp(logs)));
}

/** P(X ≥ k) for X ~ Binomial(n, p), summed directly (not 1 − cdf, which loses tiny tails). */
export function binomialUpperTail(k: number, n: number, p: number): number {
  if (k <= 0) return 1;
  if (k > n) return 0;
  const logs: number[] = [];
  for (let i = k; i <= n; i++) logs.push(logBinomialPmf(i, n, p));
  return Math.min(1, Math.exp(logSumExp(logs)));
}

/**
 * ln P(X = x) for the hypergeometric distribution: drawing `draws` items from a population of
 * `total` holding `successes`, P(X = x) = C(K, x) C(N − K, n − x) / C(N, n).
 */
export function logHypergeometricPmf(x: number, total: number, successes: number, draws: number): number {
  return logChoose(successes, x) + logChoose(total - successes, draws - x) - logChoose(total, draws);
}
