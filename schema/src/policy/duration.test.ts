import { describe, expect, it } from 'vitest';
import { parseDuration } from './duration.ts';

describe('parseDuration', () => {
  it('reads single and combined units', () => {
    expect(parseDuration('24h')).toBe(24 * 3_600_000);
    expect(parseDuration('30m')).toBe(30 * 60_000);
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('7d')).toBe(7 * 86_400_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1h30m')).toBe(90 * 60_000);
    expect(parseDuration('1.5h')).toBe(90 * 60_000);
  });

  it('rejects anything else, including zero', () => {
    for (const text of ['', '24', 'h', '24 h', 'tomorrow', '-1h', '0m', '1y']) expect(parseDuration(text)).toBeNull();
  });
});
