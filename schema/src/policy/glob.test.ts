import { describe, expect, it } from 'vitest';
import { HOST_SEPARATORS, PATH_SEPARATORS, TOOL_SEPARATORS, compileGlob, isGlob, toolMatcher } from './glob.ts';

const matches = (pattern: string, value: string, separators = PATH_SEPARATORS): boolean => compileGlob(pattern, separators).test(value);

describe('globs', () => {
  it('a pattern without * matches only itself, with regex characters taken literally', () => {
    expect(matches('/orders/7', '/orders/7')).toBe(true);
    expect(matches('/orders/7', '/orders/70')).toBe(false);
    expect(matches('/a.b', '/aXb')).toBe(false);
    expect(matches('/a+(b)', '/a+(b)')).toBe(true);
    expect(isGlob('refund')).toBe(false);
    expect(isGlob('delete_*')).toBe(true);
  });

  it('* matches within one path segment only', () => {
    expect(matches('/orders/*', '/orders/7')).toBe(true);
    expect(matches('/orders/*', '/orders/')).toBe(true);
    expect(matches('/orders/*', '/orders/7/items')).toBe(false);
    expect(matches('/orders/*/items', '/orders/7/items')).toBe(true);
    expect(matches('/orders/*', '/orders')).toBe(false);
  });

  it('** matches across path segments', () => {
    expect(matches('/orders/**', '/orders/7/items/3')).toBe(true);
    expect(matches('/orders/**', '/customers/7')).toBe(false);
    expect(matches('/**', '/anything/at/all')).toBe(true);
  });

  it('/**/ also matches no segment at all', () => {
    expect(matches('/api/**/orders', '/api/orders')).toBe(true);
    expect(matches('/api/**/orders', '/api/v1/orders')).toBe(true);
    expect(matches('/api/**/orders', '/api/v1/shop/orders')).toBe(true);
    expect(matches('/api/**/orders', '/api/v1/orders/7')).toBe(false);
  });

  it('tool names split segments on dots and slashes', () => {
    expect(matches('delete_*', 'delete_user', TOOL_SEPARATORS)).toBe(true);
    expect(matches('delete_*', 'undelete_user', TOOL_SEPARATORS)).toBe(false);
    expect(matches('github.*', 'github.create_issue', TOOL_SEPARATORS)).toBe(true);
    expect(matches('*', 'github.create_issue', TOOL_SEPARATORS)).toBe(false);
    expect(matches('**', 'github/repos.delete', TOOL_SEPARATORS)).toBe(true);
  });

  it('host globs split on dots', () => {
    expect(matches('*.shop.example', 'api.shop.example', HOST_SEPARATORS)).toBe(true);
    expect(matches('*.shop.example', 'a.b.shop.example', HOST_SEPARATORS)).toBe(false);
    expect(matches('**.shop.example', 'a.b.shop.example', HOST_SEPARATORS)).toBe(true);
    expect(matches('*.shop.example', 'shop.example.evil.example', HOST_SEPARATORS)).toBe(false);
  });

  it('a plain tool name is compared exactly', () => {
    const refund = toolMatcher('refund');
    expect(refund('refund')).toBe(true);
    expect(refund('refund_all')).toBe(false);
    expect(toolMatcher('refund*')('refund_all')).toBe(true);
  });
});
