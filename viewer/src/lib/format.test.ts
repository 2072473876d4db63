import { describe, expect, it } from 'vitest';
import { formatCost, formatCount, formatDuration, formatStep, formatPercent, formatTimestamp, formatTokens, fromDatetimeLocal, toDatetimeLocal } from './format.ts';

describe('format', () => {
  it('shows durations in the unit a person reads fastest', () => {
    expect(formatDuration(0.5)).toBe('0.50 ms');
    expect(formatDuration(850)).toBe('850 ms');
    expect(formatDuration(1240)).toBe('1.24 s');
    expect(formatDuration(42_000)).toBe('42.0 s');
    expect(formatDuration(125_000)).toBe('2m 05s');
    expect(formatDuration(3_780_000)).toBe('1h 03m');
    expect(formatDuration(null)).toBe('—');
    expect(formatDuration(0)).toBe('0 ms');
    expect(formatStep(900_000)).toBe('15 min');
    expect(formatStep(3_600_000)).toBe('1 h');
    expect(formatStep(86_400_000)).toBe('1 d');
  });

  it('says "unknown price" for a null cost instead of $0', () => {
    expect(formatCost(null)).toBe('unknown price');
    expect(formatCost(0)).toBe('$0');
    expect(formatCost(0.0042)).toBe('$0.0042');
    expect(formatCost(0.123)).toBe('$0.123');
    expect(formatCost(12.5)).toBe('$12.50');
    expect(formatCost(0.0000123)).toBe('$0.000012');
  });

  it('abbreviates large counts', () => {
    expect(formatCount(950)).toBe('950');
    expect(formatCount(1234)).toBe('1.23k');
    expect(formatCount(12_300)).toBe('12.3k');
    expect(formatCount(4_100_000)).toBe('4.1M');
    expect(formatTokens(1200, 350)).toBe('1.2k → 350');
    expect(formatTokens(null, null)).toBe('—');
  });

  it('formats ratios as percentages', () => {
    expect(formatPercent(0.934)).toBe('93.4%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(0.05)).toBe('5.00%');
    expect(formatPercent(null)).toBe('—');
  });

  it('leaves the date out of timestamps from today', () => {
    const now = new Date(2026, 0, 15, 12, 0, 0).getTime();
    expect(formatTimestamp(new Date(2026, 0, 15, 9, 5, 7).getTime(), now)).toBe('09:05:07');
    expect(formatTimestamp(new Date(2026, 0, 14, 9, 5, 7).getTime(), now)).toBe('2026-01-14 09:05:07');
  });

  it('round-trips datetime-local input values to the minute', () => {
    const ms = new Date(2026, 2, 3, 4, 5).getTime();
    expect(toDatetimeLocal(ms)).toBe('2026-03-03T04:05');
    expect(fromDatetimeLocal('2026-03-03T04:05')).toBe(ms);
    expect(fromDatetimeLocal('')).toBeNull();
  });
});
