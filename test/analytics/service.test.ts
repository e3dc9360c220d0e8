// The analytics service on a real store and audit log: a burst of failed sign-ins becomes
// an alerts row, an analytics.alert audit event (ATNA 110113) and a webhook; the user's
// risk score rises and falls back when an admin acknowledges; baselines survive a restart.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { createAnalytics } from '../../src/analytics/index.js';
import { toAtnaMessage } from '../../src/audit/index.js';
import { createNotifier } from '../../src/notify/index.js';
import { openLog, testEnv } from '../audit/helpers.js';

describe('analytics service', () => {
  it('alerts on a burst of failed sign-ins: row, audit event, webhook, risk; acknowledge clears the risk; state persists', async () => {
    const env = await testEnv();
    const hooks: string[] = [];
    const server = createServer((req, res) => {
      let b = '';
      req.on('data', (d: Buffer) => (b += d.toString()));
      req.on('end', () => {
        hooks.push(b);
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const log = await openLog(env);
      const notifier = createNotifier({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, secret: 's'.repeat(40), attempts: 1 });
      let analytics = await createAnalytics({ store: env.store, audit: log, notifier, pollMs: 50 });
      for (let i = 0; i < 9; i++) await log.append({ type: 'identity.webauthn.authenticate', actor: 'Radgate::User::"mallory"', outcome: 'failure', detail: { reason: 'assertion-invalid' } });
      await analytics.drain();
      const alerts = await analytics.listAlerts({ open: true });
      expect(alerts).toHaveLength(1);
      expect(alerts[0]).toMatchObject({ kind: 'auth-burst', subject: 'mallory' });
      expect(JSON.parse(alerts[0]!.explanation)).toMatchObject({ observed: 8, threshold: 8 });
      expect(alerts[0]!.score).toBeGreaterThanOrEqual(40);
      const ev = (await env.store.audit.query({ type: 'analytics.alert' }))[0]!;
      expect(ev.seq).toBe(alerts[0]!.auditSeq);
      expect(toAtnaMessage(ev, { sourceId: 'x' })!.eventId).toBe('110113');
      await expect.poll(() => hooks.length).toBe(1);
      expect(JSON.parse(hooks[0]!)).toMatchObject({ type: 'alert.raised', kind: 'auth-burst', subject: 'mallory' });
      expect(analytics.riskScore('mallory')).toBe(alerts[0]!.score);
      expect(analytics.riskScore('someone-else')).toBe(0);

      await analytics.close();
      analytics = await createAnalytics({ store: env.store, audit: log, pollMs: 50 });
      expect(analytics.riskScore('mallory')).toBe(alerts[0]!.score); // rebuilt from the open alerts
      const before = (await env.store.monitoring.loadState()).find((r) => r.key === 'p:mallory');
      expect(before).toBeDefined();
      expect(await analytics.acknowledge(alerts[0]!.id, 'admin-1')).toBe(true);
      expect(await analytics.acknowledge(alerts[0]!.id, 'admin-1')).toBe(false);
      expect(analytics.riskScore('mallory')).toBe(0);
      await analytics.close();
      await log.close();
    } finally {
      server.close();
      await env.cleanup();
    }
  });
});
