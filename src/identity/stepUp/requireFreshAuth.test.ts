import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { toProblem } from '../../errors/index.js';
import { csrfProtection, csrfToken, requireSession, sessionMiddleware, type SessionEnv } from '../sessions/index.js';
import { identityFixture, ORIGIN, type Fixture } from '../webauthn/identityFixture.testkit.js';
import { isAuthFresh } from './isAuthFresh.js';
import { requireFreshAuth, STEP_UP_HEADER } from './requireFreshAuth.js';

let f: Fixture;
afterEach(() => f?.close());

function app() {
  const a = new Hono<SessionEnv>();
  a.onError((err, c) => {
    const p = toProblem(err);
    return c.json(p, p.status as 401);
  });
  a.use('*', sessionMiddleware({ sessions: f.sessions, now: f.now }));
  a.use('*', csrfProtection({ expectedOrigins: [ORIGIN], audit: f.audit, now: f.now }));
  a.post('/access/approve', requireSession({ state: 'active' }), requireFreshAuth(300, { audit: f.audit, now: f.now }), (c) => c.json({ approved: true }));
  return a;
}

describe('requireFreshAuth', () => {
  it('demands a step-up when the last key verification is too old, then lets the action through after a fresh assertion', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const { key, token, session } = await f.enrol(alice);
    const post = () =>
      app().request('/access/approve', { method: 'POST', headers: { Cookie: `__Host-radgate=${token}`, Origin: ORIGIN, 'X-CSRF-Token': csrfToken(session) } });

    expect((await post()).status).toBe(200);
    f.clock.t += 301_000;
    const audited = f.audit.events.length;
    const refused = await post();
    expect(refused.status).toBe(401);
    expect(refused.headers.get(STEP_UP_HEADER)).toBe('max-age=300');
    expect(await refused.json()).toMatchObject({ code: 'unauthenticated', detail: 'step-up required' });
    expect(f.audit.events.slice(audited)).toEqual([
      expect.objectContaining({ type: 'identity.step-up', outcome: 'failure', detail: expect.objectContaining({ reason: 'step-up-required', ageSeconds: 301, maxAgeSeconds: 300 }) }),
    ]);

    // The step-up ceremony: a fresh assertion with a registered key.
    const current = (await f.sessions.getSession(session.id))!;
    const options = await f.webauthn.authenticationOptions({ session: current, user: alice });
    await f.webauthn.verifyAuthentication({ session: current, user: alice, response: key.authenticate(options), purpose: 'step-up' });
    expect((await post()).status).toBe(200);
  });

  it('never treats a session without a key verification as fresh', () => {
    expect(isAuthFresh({ state: 'pending-key', verifiedAt: 1000 }, 300, 1000)).toBe(false);
    expect(isAuthFresh({ state: 'active', verifiedAt: null }, 300, 1000)).toBe(false);
    expect(isAuthFresh({ state: 'active', verifiedAt: 1000 }, 300, 301_000)).toBe(true);
    expect(isAuthFresh({ state: 'active', verifiedAt: 1000 }, 300, 301_001)).toBe(false);
    // A verification time in the future (clock skew between replicas) is not trusted.
    expect(isAuthFresh({ state: 'active', verifiedAt: 5000 }, 300, 1000)).toBe(false);
  });

  it('refuses a nonsensical maximum age at wiring time', () => {
    expect(() => requireFreshAuth(0, { audit: { append: () => Promise.reject(new Error('unused')) } })).toThrow(RangeError);
  });
});
