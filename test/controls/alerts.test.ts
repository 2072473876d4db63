// Alerts end to end: rules in a config file, a real collector evaluating them from its rollups
// every 500 ms, and a real webhook receiver on 127.0.0.1 taking the firing and resolved calls.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getOk } from '../helpers/api.ts';
import { makeTempDir, startCollector, type RunningCollector } from '../helpers/collector.ts';
import { sendAgentRuns, type AgentRunSpec } from '../helpers/otel.ts';
import { startWebhookReceiver, type WebhookReceiver } from './webhook-receiver.ts';

let collector: RunningCollector;
let webhook: WebhookReceiver;

interface Notification {
  status: 'firing' | 'resolved';
  rule: string;
  group: string | null;
  value: number | null;
  threshold: number;
  summary: string;
  dashboardUrl: string;
}

interface AlertsAnswer {
  firing: number;
  alerts: { rule: string; group: string | null; state: string; value: number | null; notified: boolean; dashboardUrl: string }[];
}

const run = (i: number, failure?: string): AgentRunSpec => ({
  agent: 'support',
  question: `q${i}`,
  answer: `a${i}`,
  ...(failure !== undefined && { failure }),
  startTime: Date.now() - 30_000 - i * 100,
});

beforeAll(async () => {
  webhook = await startWebhookReceiver();
  const dir = makeTempDir();
  const config = join(dir, 'runlens.config.json');
  writeFileSync(
    config,
    JSON.stringify({
      alerts: {
        webhook: webhook.url,
        dashboardUrl: 'https://runlens.example.com',
        interval: '500ms',
        rules: [
          { name: 'success rate', metric: 'successRate', below: 0.9, window: '15m', groupBy: 'service' },
          { name: 'slow runs', metric: 'p95Ms', above: 20_000, window: '15m' },
          { name: 'expensive runs', metric: 'costPerRun', above: 0.5, window: '1h' },
        ],
      },
    }),
  );
  collector = await startCollector({ args: ['--config', config] });
});

afterAll(async () => {
  await collector?.stop();
  await webhook?.close();
});

describe('alerts', () => {
  it('fire to the webhook with a dashboard link and resolve when the metric recovers', async () => {
    // 4 of 10 runs fail: 60% success, under the 90% of the rule.
    await sendAgentRuns({ url: collector.url }, { serviceName: 'checkout-agent' }, Array.from({ length: 10 }, (_, i) => run(i, i < 4 ? 'tool timed out' : undefined)));
    const firing = await webhook.next<Notification>((n) => n.status === 'firing' && n.rule === 'success rate');
    expect(firing).toMatchObject({ group: 'checkout-agent', value: 0.6, threshold: 0.9 });
    expect(firing.summary).toBe('success rate (service checkout-agent): success rate 60% is below 90% over 15m');
    expect(firing.dashboardUrl).toBe('https://runlens.example.com/dashboards?range=1h&groupBy=service&service=checkout-agent');

    // The collector records the delivery once the webhook has answered, which may be just after
    // the receiver saw the call.
    await expect
      .poll(async () => (await getOk<AlertsAnswer>(collector.url, '/api/alerts')).alerts[0], { timeout: 5000, interval: 100 })
      .toMatchObject({ rule: 'success rate', group: 'checkout-agent', state: 'firing', notified: true });
    const current = await getOk<AlertsAnswer>(collector.url, '/api/alerts');
    expect(current.firing).toBe(1);

    // 40 more successes: 46 of 50, 92%.
    await sendAgentRuns({ url: collector.url }, { serviceName: 'checkout-agent' }, Array.from({ length: 40 }, (_, i) => run(100 + i)));
    const resolved = await webhook.next<Notification>((n) => n.status === 'resolved' && n.rule === 'success rate');
    expect(resolved.value).toBeCloseTo(0.92, 5);
    expect((await getOk<AlertsAnswer>(collector.url, '/api/alerts')).firing).toBe(0);
    // Each state change is sent once, not at every evaluation.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(webhook.received.filter((n) => (n as Notification).rule === 'success rate')).toHaveLength(2);
  });

  it('send a notification again at the next evaluation when the webhook was down', async () => {
    webhook.status = 503;
    await sendAgentRuns({ url: collector.url }, { serviceName: 'billing-agent' }, Array.from({ length: 5 }, (_, i) => run(i, 'payment failed')));
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const pending = await getOk<AlertsAnswer>(collector.url, '/api/alerts');
    expect(pending.alerts.find((a) => a.group === 'billing-agent')).toMatchObject({ state: 'firing', notified: false });
    webhook.status = 200;
    const firing = await webhook.next<Notification>((n) => n.status === 'firing' && n.group === 'billing-agent');
    expect(firing.value).toBe(0);
    expect(collector.logs()).toContain('did not take');
  });
});
