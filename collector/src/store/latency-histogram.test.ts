import { describe, expect, it } from 'vitest';
import { addToHistogram, histogramPercentile, latencyBucket, type LatencyHistogram } from './latency-histogram.ts';

function histogramOf(values: number[]): LatencyHistogram {
  const histogram: LatencyHistogram = new Map();
  for (const value of values) addToHistogram(histogram, latencyBucket(value), 1);
  return histogram;
}

function exactPercentile(sorted: number[], fraction: number): number {
  return sorted[Math.max(0, Math.ceil(fraction * sorted.length) - 1)]!;
}

describe('latency histogram', () => {
  it('answers percentiles within 2% of the exact values over a wide range', () => {
    // Log-normal-ish latencies from 5 ms to several minutes.
    const values = Array.from({ length: 5000 }, (_, i) => 5 * Math.exp(((i * 7919) % 5000) / 5000 * 10));
    const histogram = histogramOf(values);
    const sorted = [...values].sort((a, b) => a - b);
    for (const fraction of [0.5, 0.9, 0.95, 0.99]) {
      const estimate = histogramPercentile(histogram, fraction)!;
      expect(Math.abs(estimate / exactPercentile(sorted, fraction) - 1)).toBeLessThan(0.02);
    }
  });

  it('takes a value back out, dropping buckets that reach zero', () => {
    const histogram = histogramOf([100, 200]);
    addToHistogram(histogram, latencyBucket(100), -1);
    expect(histogram).toEqual(histogramOf([200]));
    expect(histogramPercentile(new Map(), 0.5)).toBeNull();
  });

  it('puts sub-millisecond and absurdly long latencies in the end buckets', () => {
    expect(latencyBucket(0)).toBe(0);
    expect(latencyBucket(0.3)).toBe(0);
    expect(latencyBucket(1e15)).toBe(latencyBucket(1e16));
  });
});
