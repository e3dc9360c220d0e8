import { afterEach, describe, expect, it, vi } from 'vitest';
import { sha256Hex } from '../../audit/index.js';
import { identityFixture, T0, type Fixture } from '../webauthn/identityFixture.testkit.js';
import { authContext } from './authFacts.js';
import { isSessionError } from './SessionError.js';
import { sessionCookie, clearSessionCookie } from './sessionCookie.js';

let f: Fixture;
afterEach(() => f?.close());

async function reason(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isSessionError(err) ? err.reason : String(err);
}

const validate = (token: string) => f.sessions.validateSessionToken(token, { now: f.clock.t });

describe('login sessions', () => {
  it('issues a 256-bit token and stores only its SHA-256', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const { token, session } = await f.signIn(alice);
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(token, 'base64url')).toHaveLength(32);
    const row = await f.store.sessions.get(session.id);
    expect(row?.tokenHash).toBe(sha256Hex(token));
    expect(Object.values(row ?? {})).not.toContain(token);
    expect(row?.csrfSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(session).toMatchObject({ state: 'pending-key', kind: 'browser', expiresAt: T0 + 12 * 3600_000, oidcAt: T0, verifiedAt: null });
    expect(f.audit.events.at(-1)).toMatchObject({ type: 'identity.session.create', outcome: 'success', detail: { sessionId: session.id } });
    expect(JSON.stringify(f.audit.events)).not.toContain(token);
  });

  it('validates a token into the session, the user and the policy principal', async () => {
    f = await identityFixture();
    const alice = await f.user('alice', { roles: ['clinician', 'approver'] });
    const { token, session } = await f.signIn(alice);
    const v = await validate(token);
    expect(v.session.id).toBe(session.id);
    expect(v.user).toMatchObject({ id: 'alice', roles: ['clinician', 'approver'] });
    expect(v.principal).toEqual({
      uid: { type: 'Radgate::User', id: 'alice' },
      attrs: { kind: 'workforce', org: 'st-mary', department: 'radiology' },
      parents: [
        { type: 'Radgate::Role', id: 'clinician' },
        { type: 'Radgate::Role', id: 'approver' },
      ],
    });
    expect(Object.isFrozen(v.principal) && Object.isFrozen(v.session)).toBe(true);
  });

  it('answers from the warm cache without touching the store, and writes lastSeenAt at most once a minute', async () => {
    f = await identityFixture({}, { touchIntervalMs: 60_000 });
    const alice = await f.user('alice');
    const { token } = await f.signIn(alice);
    const byHash = vi.spyOn(f.store.sessions, 'getByTokenHash');
    const touch = vi.spyOn(f.store.sessions, 'touch');
    await validate(token);
    for (let i = 0; i < 20; i++) {
      f.clock.t += 100;
      await validate(token);
    }
    expect(byHash).toHaveBeenCalledTimes(1);
    expect(touch).not.toHaveBeenCalled();
    f.clock.t += 60_000;
    await validate(token);
    expect(touch).toHaveBeenCalledTimes(1);
    expect(f.sessions.cacheSize()).toBe(1);
  });

  const refusals: [string, (token: string, sessionId: string) => Promise<void>, string][] = [
    ['an idle session', async () => void (f.clock.t += 1800_001), 'idle-timeout'],
    [
      'a session past its absolute timeout, however active',
      async (token) => {
        for (let i = 0; i < 23; i++) {
          f.clock.t += 1800_000;
          await validate(token);
        }
        f.clock.t += 1800_000;
      },
      'absolute-timeout',
    ],
    ['an ended session', async (_t, id) => void (await f.sessions.endSession({ sessionId: id, reason: 'logout' })), 'session-ended'],
    ['a disabled user', async () => void (await f.store.users.setDisabled('alice', true, f.clock.t)), 'user-disabled'],
  ];
  for (const [what, arrange, want] of refusals) {
    it(`refuses ${what} (${want}), audited`, async () => {
      f = await identityFixture({}, { cacheTtlMs: 0 });
      const alice = await f.user('alice');
      const { token, session } = await f.signIn(alice);
      await validate(token);
      await arrange(token, session.id);
      const audited = f.audit.events.length;
      expect(await reason(validate(token))).toBe(want);
      expect(f.audit.events.slice(audited)).toContainEqual(
        expect.objectContaining({ type: 'identity.session.reject', outcome: 'failure', actor: 'Radgate::User::"alice"', detail: expect.objectContaining({ reason: want }) }),
      );
    });
  }

  it('ends a timed-out session once, announcing it on the bus', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const { token, session } = await f.signIn(alice);
    f.clock.t += 1800_001;
    expect(await reason(validate(token))).toBe('idle-timeout');
    expect(await reason(validate(token))).toBe('session-ended');
    await f.bus.drain();
    expect(f.events).toEqual([{ type: 'session.ended', sessionId: session.id, userId: 'alice', reason: 'idle-timeout' }]);
    expect(await f.store.sessions.get(session.id)).toMatchObject({ state: 'ended', endReason: 'idle-timeout' });
  });

  it('refuses unknown and malformed tokens without naming a user', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const { token } = await f.signIn(alice);
    const forged = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    expect(await reason(validate(forged))).toBe('session-unknown');
    expect(await reason(validate('not-a-token'))).toBe('token-malformed');
    expect(f.audit.events.slice(-2).map((e) => [e.actor, e.detail?.reason])).toEqual([
      ['anonymous', 'session-unknown'],
      ['anonymous', 'token-malformed'],
    ]);
  });

  it('keeps each token to its own session', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const bob = await f.user('bob');
    const a = await f.signIn(alice);
    const b = await f.signIn(bob);
    expect((await validate(a.token)).user.id).toBe('alice');
    expect((await validate(b.token)).user.id).toBe('bob');
    await f.sessions.endSession({ sessionId: a.session.id, reason: 'logout' });
    expect(await reason(validate(a.token))).toBe('session-ended');
    expect((await validate(b.token)).session.id).toBe(b.session.id);
  });

  it('drops warm entries when another replica ends the session or disables the user', async () => {
    f = await identityFixture({}, { cacheTtlMs: 60_000 });
    const alice = await f.user('alice');
    const { token, session } = await f.signIn(alice);
    await validate(token);
    // Another replica writes the store and announces it; this one only hears the event.
    await f.store.sessions.end(session.id, 'logout', f.clock.t);
    f.bus.emit({ type: 'session.ended', sessionId: session.id, userId: 'alice', reason: 'logout' });
    await f.bus.drain();
    expect(await reason(validate(token))).toBe('session-ended');

    const { token: t2 } = await f.signIn(alice);
    await validate(t2);
    await f.store.users.setDisabled('alice', true, f.clock.t);
    f.bus.emit({ type: 'user.disabled', userId: 'alice' });
    await f.bus.drain();
    expect(await reason(validate(t2))).toBe('user-disabled');
  });

  it('refuses a browser session presented as an agent token and the reverse', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const { token } = await f.signIn(alice);
    expect(await reason(f.sessions.validateSessionToken(token, { now: f.clock.t, expectKind: 'agent' }))).toBe('session-kind-mismatch');
  });

  it('marks a session verified by a key: active, amr and verifiedAt; authFacts follow', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const { token, session } = await f.signIn(alice);
    await validate(token);
    expect(f.sessions.authFacts(session, f.clock.t + 5000)).toEqual({ idp: 'hospital', methods: ['oidc', 'pwd'], webauthn: false, credentialId: null, ageSeconds: 5 });
    f.clock.t += 10_000;
    const after = await f.sessions.markKeyVerified(session.id, 'cred-1', f.clock.t);
    expect(after).toMatchObject({ state: 'active', credentialId: 'cred-1', verifiedAt: f.clock.t, amr: ['oidc', 'pwd', 'webauthn'] });
    // The warm entry was dropped: the next validation sees the new state.
    expect((await validate(token)).session.state).toBe('active');
    const facts = f.sessions.authFacts(after, f.clock.t + 61_000);
    expect(facts).toEqual({ idp: 'hospital', methods: ['oidc', 'pwd', 'webauthn'], webauthn: true, credentialId: 'cred-1', ageSeconds: 61 });
    expect(authContext(facts)).toEqual({ methods: ['oidc', 'pwd', 'webauthn'], webauthn: true, ageSeconds: 61 });
    await f.sessions.endSession({ sessionId: session.id, reason: 'logout' });
    expect(await reason(f.sessions.markKeyVerified(session.id, 'cred-1', f.clock.t))).toBe('session-ended');
  });

  it('lets users list and end their own sessions only', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const bob = await f.user('bob');
    const a1 = await f.signIn(alice);
    f.clock.t += 1000;
    const a2 = await f.signIn(alice);
    const b1 = await f.signIn(bob);
    const list = await f.sessions.listSessions('alice');
    expect(list.map((s) => s.id)).toEqual([a2.session.id, a1.session.id]);
    expect(JSON.stringify(list)).not.toMatch(/csrfSecret|tokenHash/);
    expect(await reason(f.sessions.endSession({ sessionId: b1.session.id, reason: 'user', actorUserId: 'alice' }))).toBe('session-not-found');
    expect((await f.sessions.getSession(b1.session.id))?.state).toBe('pending-key');
    expect(await f.sessions.endSession({ sessionId: a1.session.id, reason: 'user', actorUserId: 'alice' })).toBe(true);
    expect((await f.sessions.listSessions('alice')).map((s) => s.id)).toEqual([a2.session.id]);
  });

  it('mints agent sessions only under an active browser session', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const pending = await f.signIn(alice);
    expect(await reason(f.sessions.mintAgentSession({ parentSessionId: pending.session.id, userId: 'alice' }))).toBe('security-key-required');
    const { session } = await f.enrol(alice);
    const agent = await f.sessions.mintAgentSession({ parentSessionId: session.id, userId: 'alice' });
    expect(agent.session).toMatchObject({ kind: 'agent', parentId: session.id, state: 'active', expiresAt: f.clock.t + 24 * 3600_000, credentialId: session.credentialId });
    expect((await f.sessions.validateSessionToken(agent.token, { now: f.clock.t, expectKind: 'agent' })).user.id).toBe('alice');
    expect(await reason(f.sessions.mintAgentSession({ parentSessionId: session.id, userId: 'bob' }))).toBe('session-unknown');
  });

  it('ends every session of a user at once (user disabled)', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const a = await f.signIn(alice);
    const b = await f.signIn(alice);
    await validate(a.token);
    const ended = await f.sessions.endSessionsWhere({ userId: 'alice' }, 'user-disabled');
    expect(ended.sort()).toEqual([a.session.id, b.session.id].sort());
    expect(await reason(validate(a.token))).toBe('session-ended');
    await f.bus.drain();
    expect(f.events.filter((e) => e.type === 'session.ended')).toHaveLength(2);
  });

  it('refuses to create a session for a disabled user', async () => {
    f = await identityFixture();
    const alice = await f.user('alice', { disabled: true });
    expect(await reason(f.signIn(alice))).toBe('user-disabled');
  });
});

describe('session cookie', () => {
  it('is __Host- scoped, Secure, HttpOnly, SameSite=Lax, Path=/', () => {
    expect(sessionCookie('tok', 3600.7)).toBe('__Host-radgate=tok; Max-Age=3600; Path=/; Secure; HttpOnly; SameSite=Lax');
    expect(clearSessionCookie()).toBe('__Host-radgate=; Max-Age=0; Path=/; Secure; HttpOnly; SameSite=Lax');
  });
});
