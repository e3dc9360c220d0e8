import { Hono } from 'hono';
import { afterEach, describe, expect, it } from 'vitest';
import { toProblem } from '../../errors/index.js';
import { identityFixture, ORIGIN, type Fixture } from '../webauthn/identityFixture.testkit.js';
import { csrfToken, verifyCsrf } from './csrf.js';
import { csrfProtection } from './csrfProtection.js';
import type { SessionEnv } from './sessionEnv.js';
import { requireSession, sessionMiddleware } from './sessionMiddleware.js';

let f: Fixture;
afterEach(() => f?.close());

function app(opts: { bearer?: boolean } = {}) {
  const a = new Hono<SessionEnv>();
  a.onError((err, c) => {
    const p = toProblem(err);
    return c.json(p, p.status as 401);
  });
  a.use('*', sessionMiddleware({ sessions: f.sessions, now: f.now, bearer: opts.bearer ?? false }));
  a.use('*', csrfProtection({ expectedOrigins: [ORIGIN], audit: f.audit, now: f.now }));
  a.get('/me', requireSession({ state: 'any' }), (c) => c.json({ user: c.get('user')?.id, state: c.get('session')?.state, via: c.get('sessionVia'), principal: c.get('principal')?.uid.id }));
  a.get('/anon', (c) => c.json({ user: c.get('user')?.id ?? null }));
  a.post('/change', requireSession({ state: 'active' }), (c) => c.json({ ok: true }));
  a.post('/form', requireSession({ state: 'active' }), async (c) => c.json({ name: (await c.req.parseBody()).name }));
  return a;
}

const cookie = (token: string) => ({ Cookie: `__Host-radgate=${token}` });

describe('sessionMiddleware and requireSession', () => {
  it('sets session, user and principal from the cookie', async () => {
    f = await identityFixture();
    const { token } = await f.signIn(await f.user('alice'));
    const res = await app().request('/me', { headers: cookie(token) });
    expect(await res.json()).toEqual({ user: 'alice', state: 'pending-key', via: 'cookie', principal: 'alice' });
  });

  it('answers 401 without a session, and 401 security-key-required for a pending one', async () => {
    f = await identityFixture();
    const { token, session } = await f.signIn(await f.user('alice'));
    const none = await app().request('/me');
    expect(none.status).toBe(401);
    expect(await none.json()).toMatchObject({ code: 'unauthenticated', detail: 'sign-in required' });
    const pending = await app().request('/change', { method: 'POST', headers: { ...cookie(token), Origin: ORIGIN, 'X-CSRF-Token': csrfToken(session) } });
    expect(pending.status).toBe(401);
    expect(await pending.json()).toMatchObject({ detail: 'security key required' });
  });

  it('treats an invalid cookie as no session and clears it', async () => {
    f = await identityFixture();
    const res = await app().request('/anon', { headers: cookie('A'.repeat(43)) });
    expect(await res.json()).toEqual({ user: null });
    expect(res.headers.get('set-cookie')).toMatch(/^__Host-radgate=; Max-Age=0/);
    expect(f.audit.events.at(-1)).toMatchObject({ type: 'identity.session.reject', detail: { reason: 'session-unknown' } });
  });

  it('refuses the session of a disabled user', async () => {
    f = await identityFixture();
    const { token } = await f.signIn(await f.user('alice'));
    await f.store.users.setDisabled('alice', true, f.clock.t);
    expect((await app().request('/me', { headers: cookie(token) })).status).toBe(401);
  });

  it('accepts agent sessions only as bearer tokens, and browser sessions only as cookies', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const { session, token: browserToken } = await f.enrol(alice);
    const agent = await f.sessions.mintAgentSession({ parentSessionId: session.id, userId: 'alice' });
    const a = app({ bearer: true });
    expect(await (await a.request('/me', { headers: { Authorization: `Bearer ${agent.token}` } })).json()).toMatchObject({ user: 'alice', via: 'bearer' });
    expect((await a.request('/me', { headers: cookie(agent.token) })).status).toBe(401);
    expect((await a.request('/me', { headers: { Authorization: `Bearer ${browserToken}` } })).status).toBe(401);
    // Bearer requests carry no ambient credential: no CSRF token needed.
    expect((await a.request('/change', { method: 'POST', headers: { Authorization: `Bearer ${agent.token}` } })).status).toBe(200);
  });
});

describe('csrfProtection', () => {
  async function active() {
    f = await identityFixture();
    const { token, session } = await f.enrol(await f.user('alice'));
    return { token, session, csrf: csrfToken(session) };
  }

  it('lets a same-origin POST with the synchronizer token through (header or form field)', async () => {
    const { token, csrf } = await active();
    const a = app();
    expect((await a.request('/change', { method: 'POST', headers: { ...cookie(token), Origin: ORIGIN, 'X-CSRF-Token': csrf } })).status).toBe(200);
    const form = await a.request('/form', {
      method: 'POST',
      headers: { ...cookie(token), Origin: ORIGIN, 'Content-Type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ _csrf: csrf, name: 'Blue key' }).toString(),
    });
    expect(await form.json()).toEqual({ name: 'Blue key' });
    // Referer stands in for a missing Origin.
    expect((await a.request('/change', { method: 'POST', headers: { ...cookie(token), Referer: `${ORIGIN}/me/keys`, 'X-CSRF-Token': csrf } })).status).toBe(200);
  });

  const bad: [string, (csrf: string, other: string) => Record<string, string>, string][] = [
    ['a POST without a token', () => ({ Origin: ORIGIN }), 'csrf-token-missing'],
    ['a POST with a wrong token', () => ({ Origin: ORIGIN, 'X-CSRF-Token': 'A'.repeat(43) }), 'csrf-token-mismatch'],
    ["a POST with another session's token", (_c, other) => ({ Origin: ORIGIN, 'X-CSRF-Token': other }), 'csrf-token-mismatch'],
    ['a POST from a foreign origin', (csrf) => ({ Origin: 'https://evil.example', 'X-CSRF-Token': csrf }), 'csrf-origin-mismatch'],
    ['a POST from an opaque origin', (csrf) => ({ Origin: 'null', 'X-CSRF-Token': csrf }), 'csrf-origin-mismatch'],
    ['a POST without Origin or Referer', (csrf) => ({ 'X-CSRF-Token': csrf }), 'csrf-origin-missing'],
  ];
  for (const [what, headers, reason] of bad) {
    it(`refuses ${what} with 403 (${reason}), audited, changing nothing`, async () => {
      const { token, csrf } = await active();
      const other = csrfToken((await f.signIn(await f.user('bob'))).session);
      const audited = f.audit.events.length;
      const res = await app().request('/change', { method: 'POST', headers: { ...cookie(token), ...headers(csrf, other) } });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({ code: 'forbidden' });
      expect(f.audit.events.slice(audited)).toEqual([expect.objectContaining({ type: 'identity.csrf', outcome: 'failure', detail: expect.objectContaining({ reason }) })]);
    });
  }

  it('leaves safe methods alone', async () => {
    const { token } = await active();
    expect((await app().request('/me', { headers: { ...cookie(token), Origin: 'https://evil.example' } })).status).toBe(200);
  });
});

describe('verifyCsrf', () => {
  const session = { id: 's1', csrfSecret: 'secret-1' };
  const token = csrfToken(session);
  it('needs both an expected origin and the session token', () => {
    expect(verifyCsrf({ session, token, origin: ORIGIN, expectedOrigins: [ORIGIN] })).toEqual({ ok: true });
    expect(verifyCsrf({ session, token, origin: undefined, referer: 'not a url', expectedOrigins: [ORIGIN] })).toEqual({ ok: false, reason: 'csrf-origin-mismatch' });
    expect(verifyCsrf({ session: { ...session, id: 's2' }, token, origin: ORIGIN, expectedOrigins: [ORIGIN] })).toEqual({ ok: false, reason: 'csrf-token-mismatch' });
    expect(verifyCsrf({ session, token: token.slice(1), origin: ORIGIN, expectedOrigins: [ORIGIN] })).toEqual({ ok: false, reason: 'csrf-token-mismatch' });
  });
});
