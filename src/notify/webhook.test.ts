import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createNotifier, signWebhook, verifyWebhook } from './index.js';

const secret = 'k'.repeat(40);

describe('webhook', () => {
  it('delivers a signed event that the receiver helper accepts', async () => {
    const got: { headers: Record<string, string | string[] | undefined>; body: string }[] = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        got.push({ headers: req.headers, body });
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const n = createNotifier({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, secret });
      expect(await n.send({ type: 'breakglass.invoked', grantId: 'g1' })).toBe(true);
      const [d] = got;
      const v = verifyWebhook({ timestamp: d!.headers['x-radgate-timestamp'] as string, signature: d!.headers['x-radgate-signature'] as string }, d!.body, secret);
      expect(v).toMatchObject({ ok: true, event: { type: 'breakglass.invoked', grantId: 'g1' } });
    } finally {
      server.close();
    }
  });

  it('refuses a tampered body, a wrong key and a replay outside the window', () => {
    const ts = Math.floor(Date.now() / 1000);
    const body = JSON.stringify({ type: 'x' });
    const sig = signWebhook(secret, ts, body);
    expect(verifyWebhook({ timestamp: String(ts), signature: sig }, body.replace('x', 'y'), secret)).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyWebhook({ timestamp: String(ts), signature: sig }, body, 'z'.repeat(40))).toEqual({ ok: false, reason: 'bad-signature' });
    expect(verifyWebhook({ timestamp: String(ts), signature: sig }, body, secret, { now: (ts + 301) * 1000 })).toEqual({ ok: false, reason: 'stale-timestamp' });
    expect(verifyWebhook({ timestamp: null, signature: sig }, body, secret)).toEqual({ ok: false, reason: 'missing-headers' });
  });

  it('is disabled without a URL and reports a failed delivery as false', async () => {
    expect(await createNotifier({}).send({ type: 'x' })).toBe(false);
    const n = createNotifier({ url: 'http://127.0.0.1:1/none', secret, attempts: 1, timeoutSeconds: 1 });
    expect(await n.send({ type: 'x' })).toBe(false);
  });
});
