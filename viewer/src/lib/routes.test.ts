import { describe, expect, it } from 'vitest';
import { matchRoute, traceHref } from './routes.ts';

describe('matchRoute', () => {
  it('maps paths to pages', () => {
    expect(matchRoute('/')).toEqual({ page: 'runs' });
    expect(matchRoute('/runs')).toEqual({ page: 'runs' });
    expect(matchRoute('/dashboards')).toEqual({ page: 'dashboards' });
    expect(matchRoute('/traces/abc123')).toEqual({ page: 'trace', traceId: 'abc123' });
    expect(matchRoute('/traces/%E0%A4%A')).toEqual({ page: 'trace', traceId: '%E0%A4%A' });
    expect(matchRoute('/nope')).toEqual({ page: 'not-found' });
  });

  it('builds shareable trace links with the selected span', () => {
    expect(traceHref('abc', 'def')).toBe('/traces/abc?span=def');
    expect(traceHref('abc')).toBe('/traces/abc');
  });
});
