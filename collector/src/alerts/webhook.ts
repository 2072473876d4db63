// The JSON an alert webhook receives, and the one POST that sends it.

export interface AlertNotification {
  source: 'runlens';
  /** `firing` when the rule's condition started to hold, `resolved` when it stopped. */
  status: 'firing' | 'resolved';
  rule: string;
  group: string | null;
  metric: string;
  comparison: 'above' | 'below';
  threshold: number;
  /** e.g. `15m`. */
  window: string;
  value: number | null;
  /** ISO time the current state began. */
  startsAt: string;
  /** One line for a chat message or a pager. */
  summary: string;
  /** The dashboards showing the metric. */
  dashboardUrl: string;
}

/** POSTs the notification; resolves with null when the receiver answered 2xx, else why not. */
export async function postWebhook(url: string, notification: AlertNotification, timeoutMs: number): Promise<string | null> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'runlens-alerts' },
      body: JSON.stringify(notification),
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.arrayBuffer().catch(() => undefined);
    return response.ok ? null : `HTTP ${response.status}`;
  } catch (error) {
    return (error as Error).message;
  }
}
