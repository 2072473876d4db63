// The Mann-Whitney U test (Mann & Whitney 1947): do values of one sample tend to be larger than
// those of another? It uses ranks only, so a few huge durations or costs cannot dominate it.
//
// U_x = Σ over pairs (xᵢ, yⱼ) of [xᵢ > yⱼ] + ½ [xᵢ = yⱼ]  (equivalently R_x − m(m+1)/2 with
// average ranks). Under the null hypothesis (both samples from one distribution):
// - exact, for small samples without ties: the distribution of U from the recurrence
//   P_{m,n}(u) = m/(m+n) · P_{m−1,n}(u − n) + n/(m+n) · P_{m,n−1}(u)
//   (the largest of the m + n values is an x, beating all n y's, or a y);
// - otherwise the normal approximation with tie and continuity corrections:
//   μ = mn/2, σ² = mn/12 · ((N + 1) − Σ(t³ − t) / (N(N − 1))), t = sizes of groups of ties.

import { normalCdf, normalUpperTail } from './normal.ts';
import type { Alternative } from './verdict.ts';

export interface MannWhitneyResult {
  /** U of the first sample: how many (x, y) pairs have x above y, ties counting ½. */
  u: number;
  alternative: Alternative;
  pValue: number;
  method: 'exact' | 'normal';
}

// The exact table grows as m²n²/4 numbers; beyond this the normal approximation is very good.
const EXACT_MAX_SAMPLE = 50;

/** `greater` asks whether x tends to be larger than y; `less` whether smaller. */
export function mannWhitneyU(
  x: readonly number[],
  y: readonly number[],
  alternative: Alternative = 'two-sided',
): MannWhitneyResult {
  const m = x.length;
  const n = y.length;
  if (m === 0 || n === 0) {
    throw new RangeError(`mannWhitneyU: both samples need at least one value (got ${m} and ${n})`);
  }
  for (const value of [...x, ...y]) {
    if (!Number.isFinite(value)) throw new RangeError(`mannWhitneyU: values must be finite numbers, got ${value}`);
  }
  const { rankSumX, tieGroups } = rankSum(x, y);
  const u = rankSumX - (m * (m + 1)) / 2;
  const hasTies = tieGroups.some((size) => size > 1);
  if (!hasTies && m <= EXACT_MAX_SAMPLE && n <= EXACT_MAX_SAMPLE) {
    return { u, alternative, pValue: exactPValue(u, m, n, alternative), method: 'exact' };
  }
  return { u, alternative, pValue: normalPValue(u, m, n, tieGroups, alternative), method: 'normal' };
}

/** Sum of the (average) ranks of x in the pooled sample, and the sizes of groups of equal values. */
function rankSum(x: readonly number[], y: readonly number[]): { rankSumX: number; tieGroups: number[] } {
  const pooled = [...x.map((value) => ({ value, fromX: true })), ...y.map((value) => ({ value, fromX: false }))];
  pooled.sort((p, q) => p.value - q.value);
  let rankSumX = 0;
  const tieGroups: number[] = [];
  for (let start = 0; start < pooled.length; ) {
    let end = start;
    while (end + 1 < pooled.length && pooled[end + 1]!.value === pooled[start]!.value) end++;
    const averageRank = (start + end) / 2 + 1;
    for (let i = start; i <= end; i++) if (pooled[i]!.fromX) rankSumX += averageRank;
    tieGroups.push(end - start + 1);
    start = end + 1;
  }
  return { rankSumX, tieGroups };
}

/** P(U = u) for every u in 0..mn, sizes m and n, no ties. */
function exactDistribution(m: number, n: number): Float64Array {
  // table[i][j] is the distribution for sizes (i, j); filled row by row.
  let previousRow: Float64Array[] = [];
  for (let i = 0; i <= m; i++) {
    const row: Float64Array[] = [];
    for (let j = 0; j <= n; j++) {
      const dist = new Float64Array(i * j + 1);
      if (i === 0 || j === 0) {
        dist[0] = 1;
      } else {
        const withLargestX = previousRow[j]!; // sizes (i − 1, j)
        const withLargestY = row[j - 1]!; // sizes (i, j − 1)
        const px = i / (i + j);
        const py = j / (i + j);
        for (let u = 0; u <= i * j; u++) {
          const fromX = u - j >= 0 && u - j < withLargestX.length ? withLargestX[u - j]! : 0;
          const fromY = u < withLargestY.length ? withLargestY[u]! : 0;
          dist[u] = px * fromX + py * fromY;
        }
      }
      row.push(dist);
    }
    previousRow = row;
  }
  return previousRow[n]!;
}

function exactPValue(u: number, m: number, n: number, alternative: Alternative): number {
  const dist = exactDistribution(m, n);
  const atLeast = (k: number): number => {
    let sum = 0;
    for (let v = Math.max(0, Math.ceil(k)); v < dist.length; v++) sum += dist[v]!;
    return sum;
  };
  const atMost = (k: number): number => {
    let sum = 0;
    for (let v = 0; v <= Math.min(dist.length - 1, Math.floor(k)); v++) sum += dist[v]!;
    return sum;
  };
  if (alternative === 'greater') return Math.min(1, atLeast(u));
  if (alternative === 'less') return Math.min(1, atMost(u));
  // The null distribution is symmetric about mn/2: double the smaller tail.
  return Math.min(1, 2 * Math.min(atLeast(u), atMost(u)));
}

function normalPValue(u: number, m: number, n: number, tieGroups: number[], alternative: Alternative): number {
  const total = m + n;
  const tieTerm = tieGroups.reduce((sum, t) => sum + (t * t * t - t), 0);
  const variance = ((m * n) / 12) * (total + 1 - tieTerm / (total * (total - 1)));
  // Every value tied: the samples cannot be told apart at all.
  if (variance <= 0) return 1;
  const sd = Math.sqrt(variance);
  const centre = (m * n) / 2;
  if (alternative === 'greater') return normalUpperTail((u - centre - 0.5) / sd);
  if (alternative === 'less') return normalCdf((u - centre + 0.5) / sd);
  const z = Math.max(0, Math.abs(u - centre) - 0.5) / sd;
  return Math.min(1, 2 * normalUpperTail(z));
}
