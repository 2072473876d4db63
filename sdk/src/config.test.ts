import { describe, expect, it } from 'vitest';
import { resolveExportTimeout, resolveTracesUrl } from './config.ts';
import { RunlensConfigError } from './errors.ts';
import { RunlensClient } from './client.ts';

describe('resolveTracesUrl', () => {
  it('appends /v1/traces to the endpoint option, which wins over the environment', () => {
    const env = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://env:4318', OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://traces-env/x' };
    expect(resolveTracesUrl('http://collector:9000/', env)).toBe('http://collector:9000/v1/traces');
  });

  it('uses OTEL_EXPORTER_OTLP_TRACES_ENDPOINT as is, before OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    expect(resolveTracesUrl(undefined, { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://a:1/custom', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://b:2' })).toBe('http://a:1/custom');
    expect(resolveTracesUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'https://b:2/base' })).toBe('https://b:2/base/v1/traces');
  });

  it('treats empty variables as unset and defaults to the local collector', () => {
    expect(resolveTracesUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: ' ' })).toBe('http://localhost:4318/v1/traces');
  });

  it('rejects an endpoint that is not an http URL, naming where it came from', () => {
    expect(() => resolveTracesUrl('localhost:4318', {})).toThrow(RunlensConfigError);
    expect(() => resolveTracesUrl(undefined, { OTEL_EXPORTER_OTLP_ENDPOINT: 'nope' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT must be an http\(s\) URL/);
  });
});

describe('resolveExportTimeout', () => {
  it('takes the option, then the environment, then 10 s, ignoring bad values', () => {
    expect(resolveExportTimeout(500, { OTEL_EXPORTER_OTLP_TIMEOUT: '2000' })).toBe(500);
    expect(resolveExportTimeout(undefined, { OTEL_EXPORTER_OTLP_TIMEOUT: '2000' })).toBe(2000);
    expect(resolveExportTimeout(undefined, { OTEL_EXPORTER_OTLP_TIMEOUT: 'soon' })).toBe(10_000);
  });
});

describe('init options', () => {
  it('needs a service name', () => {
    expect(() => new RunlensClient({ service: '' })).toThrow(/init\(\) needs a service name/);
  });

  it('rejects a bad redaction pattern at init, not at the first span', () => {
    expect(() => new RunlensClient({ service: 's', flushOnExit: false, redact: { custom: [{ name: 'x', pattern: '[' }] } })).toThrow(/redaction custom pattern 'x'/);
  });

  it('reports the traces URL it posts to', async () => {
    const client = new RunlensClient({ service: 's', endpoint: 'http://127.0.0.1:9', flushOnExit: false });
    expect(client.tracesUrl).toBe('http://127.0.0.1:9/v1/traces');
    await client.shutdown();
  });
});
