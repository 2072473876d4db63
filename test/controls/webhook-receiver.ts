// A real HTTP receiver on 127.0.0.1 for alert webhooks: records every JSON body it is sent.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface WebhookReceiver {
  url: string;
  received: unknown[];
  /** Answer with this status (503 simulates a receiver that is down). */
  status: number;
  /** Resolves with the first body (received or coming) matching `predicate`. */
  next<T = Record<string, unknown>>(predicate: (body: T) => boolean, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const received: unknown[] = [];
  const waiters: { predicate: (body: never) => boolean; resolve: (body: unknown) => void }[] = [];
  const receiver = { status: 200 } as WebhookReceiver;
  const server: Server = createServer((request, response) => {
    let text = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    request.on('end', () => {
      if (receiver.status === 200) {
        const body = JSON.parse(text) as unknown;
        received.push(body);
        for (const waiter of waiters.splice(0)) {
          if (waiter.predicate(body as never)) waiter.resolve(body);
          else waiters.push(waiter);
        }
      }
      response.writeHead(receiver.status, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(receiver, {
    url: `http://127.0.0.1:${port}/hook`,
    received,
    next<T>(predicate: (body: T) => boolean, timeoutMs = 20_000): Promise<T> {
      const found = received.find((body) => predicate(body as T));
      if (found) return Promise.resolve(found as T);
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no matching webhook call within ${timeoutMs} ms; received ${JSON.stringify(received)}`)), timeoutMs);
        waiters.push({ predicate: predicate as (body: never) => boolean, resolve: (body) => (clearTimeout(timer), resolve(body as T)) });
      });
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}
