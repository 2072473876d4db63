import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemorySpanExporter } from '@opentelemetry/sdk-trace-node';
import { describe, expect, it } from 'vitest';
import { RunlensClient } from '../client.ts';
import { RunlensConfigError } from '../errors.ts';
import { policySource } from './source.ts';

const dir = mkdtempSync(join(tmpdir(), 'runlens-policy-source-'));

describe('policySource', () => {
  it('refuses a policy file with errors at init, naming the file, the line and the field', () => {
    const file = join(dir, 'bad.policy.yaml');
    writeFileSync(file, 'version: 1\ndefault: deny\nidentities:\n  a:\n    autonomy: yolo\n');
    expect(() => policySource(file, 'a', null)).toThrow(RunlensConfigError);
    expect(() => policySource(file, 'a', null)).toThrow(/bad\.policy\.yaml:5: identities\.a\.autonomy/);
  });

  it('says what is missing when a file cannot be read', () => {
    expect(() => policySource(join(dir, 'missing.yaml'), 'a', null)).toThrow(/cannot read .*missing\.yaml/);
  });

  it("needs a collector for policy: 'remote'", () => {
    expect(() => new RunlensClient({ service: 'a', exporter: new InMemorySpanExporter(), policy: 'remote', flushOnExit: false })).toThrow(/needs a collector/);
  });

  it('accepts a policy object and serves it as is', async () => {
    const source = policySource({ version: '7', default: 'deny', identities: { a: { autonomy: 'read-only' } } }, 'a', null);
    expect((await source.current())?.version).toBe('7');
  });
});
