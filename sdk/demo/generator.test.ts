import { describe, expect, it } from 'vitest';
import { generateRunSpans, toOtlpJsonRequests } from './generator.ts';

const ms = ([seconds, nanos]: [number, number]): number => seconds * 1000 + nanos / 1e6;

describe('generateRunSpans', () => {
  it('produces realistic runs quickly in virtual time, the same for the same seed', async () => {
    const started = performance.now();
    const spans = await generateRunSpans({ runs: 300, seed: 7, startTime: Date.UTC(2026, 10, 1) });
    const elapsed = performance.now() - started;
    const roots = spans.filter((span) => span.name === 'invoke_agent support-agent');
    expect(roots).toHaveLength(300);
    const spansPerRun = spans.length / roots.length;
    expect(spansPerRun).toBeGreaterThan(8);
    expect(spansPerRun).toBeLessThan(16);
    // Seconds-long runs with realistic timestamps, produced in far less time than they "took".
    const durations = roots.map((root) => ms(root.duration)).sort((a, b) => a - b);
    expect(durations[150]).toBeGreaterThan(2000);
    expect(elapsed).toBeLessThan(10_000);
    expect(ms(roots[0]!.startTime)).toBeGreaterThanOrEqual(Date.UTC(2026, 10, 1));

    const outcomes = (version: string) => roots.filter((root) => root.attributes['runlens.version.prompt'] === version).map((root) => root.attributes['runlens.run.outcome']);
    const successRate = (version: string) => outcomes(version).filter((outcome) => outcome === 'success').length / outcomes(version).length;
    expect(successRate('v2')).toBeGreaterThan(successRate('v1'));
    expect(new Set(roots.map((root) => root.attributes['runlens.run.outcome']))).toEqual(new Set(['success', 'failure', 'escalated', 'budget_exceeded']));
    expect(spans.some((span) => span.events.some((event) => event.name === 'runlens.approval'))).toBe(true);
    expect(spans.some((span) => span.name.startsWith('chat claude-sonnet-4'))).toBe(true);

    const again = await generateRunSpans({ runs: 20, seed: 7, startTime: Date.UTC(2026, 10, 1) });
    expect(again.map((span) => span.name)).toEqual(spans.slice(0, again.length).map((span) => span.name));
  });

  it('serialises spans into OTLP/JSON request bodies', async () => {
    const spans = await generateRunSpans({ runs: 5, seed: 1 });
    const bodies = toOtlpJsonRequests(spans, 20);
    expect(bodies.length).toBe(Math.ceil(spans.length / 20));
    const first = JSON.parse(Buffer.from(bodies[0]!).toString('utf8'));
    expect(first.resourceSpans[0].scopeSpans[0].spans[0].traceId).toMatch(/^[0-9a-f]{32}$/);
  });
});
