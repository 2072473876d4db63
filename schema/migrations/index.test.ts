import { describe, expect, it } from 'vitest';
import { MIGRATIONS } from './index.ts';

describe('migrations', () => {
  it('are listed in strictly increasing order, so every one runs on an existing database', () => {
    const versions = MIGRATIONS.map((m) => m.version);
    expect(versions).toEqual([...versions].sort((a, b) => a - b));
    expect(new Set(versions).size).toBe(versions.length);
  });

  it('each load non-empty SQL from its numbered file', () => {
    for (const migration of MIGRATIONS) expect(migration.sql.trim().length).toBeGreaterThan(0);
  });
});
