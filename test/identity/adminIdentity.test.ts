// Admin identity actions over the real control plane with agent bearer sessions:
// enrolment codes and disabling a user, each behind the admin role and a fresh step-up.
import { request } from 'node:https';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { enrolmentCodeHash } from '../../src/identity/webauthn/index.js';
import { startBroker, type Broker } from '../../src/server.js';
import { freePort } from '../helpers/ports.js';
import { testConfig, tmpHome } from '../helpers/tmpHome.js';

async function call(broker: Broker, method: string, p: string, token: string): Promise<{ status: number; body: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(`${broker.url}${p}`, { method, ca: broker.ca.rootPem(), headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' } }, (res) => {
      let data = '';
      res.on('data', (c: Buffer) => (data += c.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: data ? (JSON.parse(data) as Record<string, unknown>) : {} }));
    });
    req.on('error', reject);
    req.end(method === 'GET' ? undefined : '{}');
  });
}

describe('admin identity actions', () => {
  let broker: Broker;
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    broker = await startBroker(testConfig(tmpHome(), { 'listen.control.port': await freePort(), 'identity.stepUpMaxAge': 60 }));
    const now = Date.now();
    for (const [name, roles, verifiedAt] of [
      ['admin', ['admin'], now],
      ['stale-admin', ['admin'], now - 10 * 60_000],
      ['clinician', ['clinician'], now],
      ['target', ['clinician'], now],
    ] as const) {
      const row = await broker.store.users.upsertFromIdp({ id: `u-${name}`, issuer: 'https://idp.test', subject: name, kind: 'workforce', roles: JSON.stringify(roles), createdAt: now, updatedAt: now });
      ids[name] = row.id;
      const user = (await broker.identity.sessions.getUser(row.id))!;
      const { token } = await broker.identity.sessions.createSession({ user, kind: 'agent', idp: 'test', amr: ['oidc', 'webauthn'], idpSid: null, oidcAt: now, state: 'active', verifiedAt, credentialId: 'k' });
      tokens[name] = token;
    }
  });
  afterAll(async () => {
    await broker?.close();
  });

  it('refuses non-admins with 403 and audits the refusal', async () => {
    const r = await call(broker, 'POST', `/admin/users/${ids.target}/enrolment-code`, tokens.clinician!);
    expect(r.status).toBe(403);
    expect(r.body).toMatchObject({ code: 'forbidden' });
  });

  it('demands a fresh security-key verification (step-up) from an admin', async () => {
    const r = await call(broker, 'POST', `/admin/users/${ids.target}/enrolment-code`, tokens['stale-admin']!);
    expect(r.status).toBe(401);
    expect(r.body).toMatchObject({ code: 'unauthenticated', reason: 'step-up-required' });
  });

  it('issues a one-time enrolment code that works once for that user', async () => {
    const r = await call(broker, 'POST', `/admin/users/${ids.target}/enrolment-code`, tokens.admin!);
    expect(r.status).toBe(201);
    const code = r.body.code as string;
    expect(code.length).toBeGreaterThanOrEqual(8);
    expect(await broker.store.challenges.useEnrolmentCode(enrolmentCodeHash(code), ids.target!, Date.now())).toBe(true);
    expect(await broker.store.challenges.useEnrolmentCode(enrolmentCodeHash(code), ids.target!, Date.now())).toBe(false);
    await broker.audit.flush();
    const rows = await broker.store.audit.query({ type: 'identity.webauthn.enrolment-code.issue' });
    expect(rows).toHaveLength(1);
    expect(rows[0]!.detail).not.toContain(code);
  });

  it('disables a user: their sessions end at once and their token stops working', async () => {
    const before = await call(broker, 'GET', '/agent/whoami', tokens.target!);
    expect(before.body).toMatchObject({ user: { id: ids.target } });
    const r = await call(broker, 'POST', `/admin/users/${ids.target}/disable`, tokens.admin!);
    expect(r.body).toMatchObject({ disabled: true });
    expect(r.status).toBe(200);
    expect((r.body.endedSessions as string[]).length).toBe(1);
    expect((await call(broker, 'GET', '/agent/whoami', tokens.target!)).status).toBe(401);
    expect((await broker.store.users.get(ids.target!))?.disabled).toBe(true);
  });

  it('refuses an admin disabling themselves', async () => {
    const r = await call(broker, 'POST', `/admin/users/${ids.admin}/disable`, tokens.admin!);
    expect(r.status).toBe(409);
  });
});
