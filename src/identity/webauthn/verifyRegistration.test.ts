import { afterEach, describe, expect, it } from 'vitest';
import { identityFixture, type Fixture } from './identityFixture.testkit.js';
import { isWebauthnError } from './WebauthnError.js';
import { isSessionError } from '../sessions/index.js';

let f: Fixture;
afterEach(() => f?.close());

/** Runs `fn`, expects an identity error with this reason, returns it. */
async function rejects(fn: () => Promise<unknown>, reason: string) {
  const err = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isWebauthnError(err) || isSessionError(err), String(err)).toBe(true);
  expect((err as { reason: string }).reason).toBe(reason);
  return err as Error & { code: string; status: number };
}

describe('registrationOptions', () => {
  it('asks for a resident key, UV only for UV roles, excludes existing keys, attestation none', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const { session } = await f.signIn(alice);
    const o = await f.webauthn.registrationOptions({ session, user: alice });
    expect(o.rp).toEqual({ name: 'radgate', id: 'localhost' });
    expect(o.authenticatorSelection).toMatchObject({ residentKey: 'preferred', userVerification: 'preferred' });
    expect(o.attestation).toBe('none');
    expect(o.timeout).toBe(300_000);
    expect(o.challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const admin = await f.user('root', { roles: ['admin'] });
    const { key, session: active } = await f.enrol(admin);
    const again = await f.webauthn.registrationOptions({ session: active, user: admin });
    expect(again.authenticatorSelection?.userVerification).toBe('required');
    expect(again.excludeCredentials?.map((c) => c.id)).toEqual([key.id]);
  });

  it('stores only the hash of the challenge, bound to the session', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const { session } = await f.signIn(alice);
    const o = await f.webauthn.registrationOptions({ session, user: alice });
    const { sha256Hex } = await import('../../audit/index.js');
    const row = await f.store.challenges.peek(sha256Hex(o.challenge), 'webauthn.register', f.clock.t);
    expect(row).toMatchObject({ sessionId: session.id, userId: 'alice', expiresAt: f.clock.t + 300_000 });
    expect(row?.payload).not.toContain(o.challenge);
  });

  it('asks for direct attestation when an AAGUID allow-list is configured', async () => {
    f = await identityFixture({ aaguidAllowlist: ['00000000-0000-0000-0000-000000000001'] });
    const alice = await f.user('alice');
    const { session } = await f.signIn(alice);
    expect((await f.webauthn.registrationOptions({ session, user: alice })).attestation).toBe('direct');
  });
});

describe('verifyRegistration', () => {
  it('registers a first key within the enrolment window and activates the session', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const { session } = await f.signIn(alice);
    const key = f.authenticator();
    f.clock.t += 9 * 60_000;
    const options = await f.webauthn.registrationOptions({ session, user: alice });
    const r = await f.webauthn.verifyRegistration({ session, user: alice, response: key.register(options), name: '  My   YubiKey ' });
    expect(r.key).toMatchObject({ id: key.id, name: 'My YubiKey', aaguid: key.aaguid, transports: ['usb'], locked: false, createdAt: f.clock.t, lastUsedAt: null });
    expect(r.session).toMatchObject({ state: 'active', credentialId: key.id, verifiedAt: f.clock.t });
    expect(r.session.amr).toEqual(['oidc', 'pwd', 'webauthn']);
    const row = await f.store.webauthn.get(key.id);
    expect(row).toMatchObject({ userId: 'alice', counter: 0 });
    expect(row?.publicKey).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(f.auditTypes()).toContain('identity.webauthn.register:success');
  });

  it('refuses a first key outside the enrolment window, changing nothing', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const { session } = await f.signIn(alice);
    const key = f.authenticator();
    f.clock.t += 10 * 60_000 + 1;
    const options = await f.webauthn.registrationOptions({ session, user: alice });
    const err = await rejects(() => f.webauthn.verifyRegistration({ session, user: alice, response: key.register(options) }), 'enrolment-window-closed');
    expect(err.status).toBe(403);
    expect(await f.store.webauthn.listForUser('alice')).toEqual([]);
    expect((await f.sessions.getSession(session.id))?.state).toBe('pending-key');
    expect(f.audit.events.at(-1)).toMatchObject({ type: 'identity.webauthn.register', outcome: 'failure', detail: { reason: 'enrolment-window-closed' } });
  });

  it('requires an admin-issued one-time code when config says so, and spends it once', async () => {
    f = await identityFixture({ enrolment: 'admin-code' });
    const alice = await f.user('alice');
    const { session } = await f.signIn(alice);
    const key = f.authenticator();
    const attempt = async (enrolmentCode?: string) => {
      const options = await f.webauthn.registrationOptions({ session, user: alice });
      return f.webauthn.verifyRegistration({ session, user: alice, response: key.register(options), enrolmentCode });
    };
    await rejects(() => attempt(), 'enrolment-code-required');
    await rejects(() => attempt('AAAAA-BBBBB-CCCCC-DDDDD'), 'enrolment-code-invalid');
    expect(await f.store.webauthn.listForUser('alice')).toEqual([]);

    const { code } = await f.webauthn.issueEnrolmentCode({ userId: 'alice', createdBy: 'admin', ttlSeconds: 3600 });
    expect(code).toMatch(/^[0-9A-Z]{5}(-[0-9A-Z]{5}){3}$/);
    expect(JSON.stringify(f.audit.events)).not.toContain(code);
    // A code is for its user only.
    const bob = await f.user('bob');
    const bobSession = (await f.signIn(bob)).session;
    const bobOptions = await f.webauthn.registrationOptions({ session: bobSession, user: bob });
    await rejects(() => f.webauthn.verifyRegistration({ session: bobSession, user: bob, response: f.authenticator().register(bobOptions), enrolmentCode: code }), 'enrolment-code-invalid');

    const r = await attempt(code.toLowerCase());
    expect(r.session.state).toBe('active');
    const { session: s2 } = await f.signIn(alice);
    const o2 = await f.webauthn.registrationOptions({ session: s2, user: alice }).catch((e: unknown) => e);
    expect(isSessionError(o2) && o2.reason).toBe('security-key-required');
  });

  it('accepts a valid code for a user who missed the enrolment window', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const { session } = await f.signIn(alice);
    f.clock.t += 3600_000;
    const { code } = await f.webauthn.issueEnrolmentCode({ userId: 'alice', createdBy: 'admin' });
    const options = await f.webauthn.registrationOptions({ session, user: alice });
    const r = await f.webauthn.verifyRegistration({ session, user: alice, response: f.authenticator().register(options), enrolmentCode: code });
    expect(r.key.locked).toBe(false);
  });

  it('refuses an authenticator whose AAGUID is not on the allow-list', async () => {
    const allowed = 'cb69481e-8ff7-4039-93ec-0a2729a154a8';
    f = await identityFixture({ aaguidAllowlist: [allowed] });
    const alice = await f.user('alice');
    const { session } = await f.signIn(alice);
    const options = await f.webauthn.registrationOptions({ session, user: alice });
    await rejects(() => f.webauthn.verifyRegistration({ session, user: alice, response: f.authenticator().register(options) }), 'aaguid-not-allowed');
    expect(await f.store.webauthn.listForUser('alice')).toEqual([]);
    const ok = await f.webauthn.registrationOptions({ session, user: alice });
    const r = await f.webauthn.verifyRegistration({ session, user: alice, response: f.authenticator({ aaguid: allowed.toUpperCase() }).register(ok) });
    expect(r.key.aaguid).toBe(allowed);
  });

  it('refuses a registration made for another origin or another RP ID', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const { session } = await f.signIn(alice);
    const key = f.authenticator();
    let o = await f.webauthn.registrationOptions({ session, user: alice });
    await rejects(() => f.webauthn.verifyRegistration({ session, user: alice, response: key.register(o, { origin: 'https://evil.example' }) }), 'origin-mismatch');
    o = await f.webauthn.registrationOptions({ session, user: alice });
    await rejects(() => f.webauthn.verifyRegistration({ session, user: alice, response: key.register(o, { rpId: 'evil.example' }) }), 'rpid-mismatch');
    expect(await f.store.webauthn.listForUser('alice')).toEqual([]);
  });

  it('refuses a replayed registration and a challenge issued to another session', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const { session } = await f.signIn(alice);
    const { session: other } = await f.signIn(alice);
    const o = await f.webauthn.registrationOptions({ session: other, user: alice });
    await rejects(() => f.webauthn.verifyRegistration({ session, user: alice, response: f.authenticator().register(o) }), 'challenge-invalid');
    const o2 = await f.webauthn.registrationOptions({ session, user: alice });
    const response = f.authenticator().register(o2);
    await f.webauthn.verifyRegistration({ session, user: alice, response });
    await rejects(() => f.webauthn.verifyRegistration({ session, user: alice, response }), 'challenge-invalid');
  });

  it('refuses another key from a session whose verification is not fresh', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const { session } = await f.enrol(alice);
    f.clock.t += 301_000;
    await rejects(() => f.webauthn.registrationOptions({ session, user: alice }), 'step-up-required');
    // A pending session of a user who has keys must sign in with one first.
    const { session: pending } = await f.signIn(alice);
    await rejects(() => f.webauthn.registrationOptions({ session: pending, user: alice }), 'security-key-required');
  });

  it('needs UV at registration for UV roles', async () => {
    f = await identityFixture();
    const admin = await f.user('root', { roles: ['admin'] });
    const { session } = await f.signIn(admin);
    const o = await f.webauthn.registrationOptions({ session, user: admin });
    await rejects(() => f.webauthn.verifyRegistration({ session, user: admin, response: f.authenticator().register(o, { userVerified: false }) }), 'user-verification-required');
  });

  it('refuses a disabled user and a session of another user', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const bob = await f.user('bob');
    const { session } = await f.signIn(alice);
    await rejects(() => f.webauthn.registrationOptions({ session, user: bob }), 'session-user-mismatch');
    await f.store.users.setDisabled('alice', true, f.clock.t);
    await rejects(() => f.webauthn.registrationOptions({ session, user: { ...alice, disabled: true } }), 'user-disabled');
  });

  it('refuses malformed responses as bad requests', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const { session } = await f.signIn(alice);
    for (const response of [null, {}, { id: 'a', rawId: 'b', type: 'public-key', response: {} }, { id: 'a', rawId: 'a', type: 'public-key', response: { clientDataJSON: '!!', attestationObject: 'x' } }]) {
      const err = await rejects(() => f.webauthn.verifyRegistration({ session, user: alice, response }), 'response-malformed');
      expect(err.status).toBe(400);
    }
  });
});
