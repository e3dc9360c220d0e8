// Signed webhook notifications. Each POST carries the JSON body and
//   X-Radgate-Timestamp: <unix seconds>
//   X-Radgate-Signature: v1=<hex HMAC-SHA256(secret, "<timestamp>.<body>")>
//   X-Radgate-Event: <type>, X-Radgate-Delivery: <random id>
// Receivers verify the signature in constant time and refuse timestamps outside a window
// (verifyWebhook below), which defeats replays of captured deliveries.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Logger } from '../log/index.js';

export interface WebhookEvent {
  /** e.g. access.requested, access.approved, grant.created, breakglass.invoked, policy.emergency-rollback, alert.raised */
  type: string;
  [key: string]: unknown;
}

export interface Notifier {
  /** Delivers (with retries) in the background; never throws. Resolves when delivered or given up. */
  send(event: WebhookEvent): Promise<boolean>;
  readonly enabled: boolean;
}

export interface WebhookOptions {
  url?: string | undefined;
  secret?: string | undefined;
  timeoutSeconds?: number;
  attempts?: number;
  logger?: Logger;
  now?: () => number;
}

export function signWebhook(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

export function createNotifier(o: WebhookOptions): Notifier {
  const now = o.now ?? Date.now;
  if (!o.url || !o.secret) return { enabled: false, send: async () => false };
  const url = o.url;
  const secret = o.secret;
  const attempts = o.attempts ?? 3;
  const timeoutMs = (o.timeoutSeconds ?? 5) * 1000;
  return {
    enabled: true,
    async send(event) {
      const body = JSON.stringify({ ...event, sentAt: new Date(now()).toISOString() });
      const delivery = randomUUID();
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const ts = Math.floor(now() / 1000);
        try {
          const res = await fetch(url, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-radgate-event': event.type,
              'x-radgate-delivery': delivery,
              'x-radgate-timestamp': String(ts),
              'x-radgate-signature': signWebhook(secret, ts, body),
            },
            body,
            redirect: 'error',
            signal: AbortSignal.timeout(timeoutMs),
          });
          await res.arrayBuffer().catch(() => undefined);
          if (res.ok) return true;
          o.logger?.warn({ event: event.type, status: res.status, attempt }, 'webhook refused');
        } catch (err) {
          o.logger?.warn({ event: event.type, err: (err as Error).message, attempt }, 'webhook delivery failed');
        }
        if (attempt < attempts) await new Promise((r) => setTimeout(r, 200 * 2 ** (attempt - 1)));
      }
      return false;
    },
  };
}

export type WebhookVerdict = { ok: true; event: WebhookEvent } | { ok: false; reason: 'missing-headers' | 'bad-signature' | 'stale-timestamp' | 'bad-body' };

/** Receiver side: checks signature (constant time) and a timestamp window (default 300 s). */
export function verifyWebhook(
  headers: { timestamp?: string | null; signature?: string | null },
  body: string,
  secret: string,
  opts: { toleranceSeconds?: number; now?: number } = {},
): WebhookVerdict {
  const ts = Number(headers.timestamp);
  if (!headers.timestamp || !headers.signature || !Number.isInteger(ts)) return { ok: false, reason: 'missing-headers' };
  const expected = Buffer.from(signWebhook(secret, ts, body));
  const given = Buffer.from(headers.signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'bad-signature' };
  const nowS = Math.floor((opts.now ?? Date.now()) / 1000);
  if (Math.abs(nowS - ts) > (opts.toleranceSeconds ?? 300)) return { ok: false, reason: 'stale-timestamp' };
  try {
    const event = JSON.parse(body) as WebhookEvent;
    if (typeof event?.type !== 'string') return { ok: false, reason: 'bad-body' };
    return { ok: true, event };
  } catch {
    return { ok: false, reason: 'bad-body' };
  }
}
