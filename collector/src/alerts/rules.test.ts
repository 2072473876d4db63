import { describe, expect, it } from 'vitest';
import { parseDuration } from '../config.ts';
import { dashboardLink, alertSummary } from './evaluator.ts';
import { parseAlertsConfig } from './rules.ts';

const parse = (raw: unknown) => parseAlertsConfig(raw, 'runlens.config.json: alerts', parseDuration);

describe('alert rules', () => {
  it('reads the four example rules of the README with their defaults', () => {
    const config = parse({
      webhook: 'https://hooks.example.com/runlens/',
      rules: [
        { name: 'success rate', metric: 'successRate', below: 0.9, window: '15m', groupBy: 'service' },
        { metric: 'p95Ms', above: 20_000, window: '15m' },
        { metric: 'costPerRun', above: 0.5, window: '1h', service: 'support-agent' },
        { metric: 'escalationRate', above: 0.1 },
      ],
    });
    expect(config.webhookUrl).toBe('https://hooks.example.com/runlens');
    expect(config.intervalMs).toBe(60_000);
    expect(config.rules[1]).toEqual({ name: 'p95Ms above 20000', metric: 'p95Ms', comparison: 'above', threshold: 20_000, windowMs: 900_000, minRuns: 1 });
    expect(config.rules[3]!.windowMs).toBe(900_000);
  });

  it('names the setting that is wrong', () => {
    expect(() => parse({ rules: [{ metric: 'successRate', window: '15m' }] })).toThrow('runlens.config.json: alerts.rules[0]: give exactly one of "above" or "below"');
    expect(() => parse({ rules: [{ metric: 'latency', above: 1 }] })).toThrow(/alerts\.rules\[0\]\.metric: expected one of runs, successRate/);
    expect(() => parse({ webhook: 'ftp://x' })).toThrow('alerts.webhook: expected an http(s) URL, got "ftp://x"');
    expect(() => parse({ rules: [{ metric: 'runs', above: 1, window: '10s' }] })).toThrow('alerts.rules[0].window: at least 1m');
    expect(() => parse({ rules: [{ metric: 'runs', above: 1 }, { metric: 'runs', above: 1 }] })).toThrow('"runs above 1" is used by another rule');
  });

  it('links to the dashboards of the alert\'s group and says what crossed which threshold', () => {
    const [rule] = parse({ rules: [{ name: 'slow', metric: 'p95Ms', above: 20_000, window: '6h', groupBy: 'service' }] }).rules;
    expect(dashboardLink('http://localhost:4318/', rule!, 'support-agent')).toBe('http://localhost:4318/dashboards?range=6h&groupBy=service&service=support-agent');
    expect(alertSummary(rule!, 'support-agent', 'firing', 23_500)).toBe('slow (service support-agent): p95 duration 23.5 s is above 20 s over 6h');
    expect(alertSummary(rule!, 'support-agent', 'resolved', 1_200)).toBe('slow (service support-agent): p95 duration 1.2 s is back within 20 s over 6h');
  });
});
