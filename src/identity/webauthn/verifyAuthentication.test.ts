import { afterEach, describe, expect, it } from 'vitest';
import { isSessionError } from '../sessions/index.js';
import { identityFixture, type Fixture } from './identityFixture.testkit.js';
import { isWebauthnError } from './WebauthnError.js';

let f: Fixture;
afterEach(() => f?.close());

async function rejects(fn: () => Promise<unknown>, reason: string) {
  const err = await fn().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isWebauthnError(err) || isSessionError(err), String(err)).toBe(true);
  expect((err as { reason: string }).reason).toBe(reason);
  return err as Error & { code: string; status: number };
}

/** Alice with one registered key and a new pending sign-in session (OIDC done). */
async function aliceSigningIn(roles?: string[]) {
  f = await identityFixture();
  const alice = await f.user('alice', roles ? { roles } : {});
  const { key } = await f.enrol(alice);
  f.clock.t += 3600_000;
  const { token, session } = await f.signIn(alice);
  const snapshot = async () => ({
    key: await f.store.webauthn.get(key.id),
    session: await f.sessions.getSession(session.id),
  });
  return { alice, key, token, session, before: await snapshot(), snapshot };
}

describe('verifyAuthentication', () => {
  it('signs in with a registered key: counter and last use stored, session active and verified', async () => {
    const { alice, key, session } = await aliceSigningIn();
    const options = await f.webauthn.authenticationOptions({ session, user: alice });
    expect(options.allowCredentials?.map((c) => c.id)).toEqual([key.id]);
    expect(options.userVerification).toBe('preferred');
    const r = await f.webauthn.verifyAuthentication({ session, user: alice, response: key.authenticate(options), purpose: 'sign-in' });
    expect(r).toMatchObject({ credentialId: key.id, userVerified: true });
    expect(r.session).toMatchObject({ state: 'active', credentialId: key.id, verifiedAt: f.clock.t });
    expect(await f.store.webauthn.get(key.id)).toMatchObject({ counter: 1, lastUsedAt: f.clock.t });
    expect(f.audit.events.at(-1)).toMatchObject({ type: 'identity.webauthn.authenticate', outcome: 'success', detail: { credentialId: key.id, purpose: 'sign-in' } });
  });

  it('audits a step-up assertion as identity.step-up', async () => {
    const { alice, key, session } = await aliceSigningIn();
    let o = await f.webauthn.authenticationOptions({ session, user: alice });
    await f.webauthn.verifyAuthentication({ session, user: alice, response: key.authenticate(o), purpose: 'sign-in' });
    f.clock.t += 600_000;
    o = await f.webauthn.authenticationOptions({ session, user: alice });
    const r = await f.webauthn.verifyAuthentication({ session, user: alice, response: key.authenticate(o), purpose: 'step-up' });
    expect(r.session.verifiedAt).toBe(f.clock.t);
    expect(f.audit.events.at(-1)).toMatchObject({ type: 'identity.step-up', outcome: 'success' });
  });

  // Each bad input: a typed error, one audit event with the reason, nothing else changed.
  const badInputs: [string, string, (k: Awaited<ReturnType<typeof aliceSigningIn>>) => Promise<unknown>][] = [
    [
      'an assertion made for another origin',
      'origin-mismatch',
      async ({ alice, key, session }) => {
        const o = await f.webauthn.authenticationOptions({ session, user: alice });
        return f.webauthn.verifyAuthentication({ session, user: alice, response: key.authenticate(o, { origin: 'https://pacs.evil.example' }), purpose: 'sign-in' });
      },
    ],
    [
      'an assertion made for another RP ID',
      'rpid-mismatch',
      async ({ alice, key, session }) => {
        const o = await f.webauthn.authenticationOptions({ session, user: alice });
        return f.webauthn.verifyAuthentication({ session, user: alice, response: key.authenticate(o, { rpId: 'evil.example' }), purpose: 'sign-in' });
      },
    ],
    [
      'a credential nobody registered',
      'credential-unknown',
      async ({ alice, session }) => {
        const o = await f.webauthn.authenticationOptions({ session, user: alice });
        return f.webauthn.verifyAuthentication({ session, user: alice, response: f.authenticator().authenticate(o), purpose: 'sign-in' });
      },
    ],
    [
      "another user's key",
      'credential-other-user',
      async ({ alice, session }) => {
        const bob = await f.user('bob');
        const { key: bobKey } = await f.enrol(bob);
        const o = await f.webauthn.authenticationOptions({ session, user: alice });
        return f.webauthn.verifyAuthentication({ session, user: alice, response: bobKey.authenticate(o), purpose: 'sign-in' });
      },
    ],
    [
      'a challenge older than its TTL',
      'challenge-invalid',
      async ({ alice, key, session }) => {
        const o = await f.webauthn.authenticationOptions({ session, user: alice });
        f.clock.t += 300_001;
        return f.webauthn.verifyAuthentication({ session, user: alice, response: key.authenticate(o), purpose: 'sign-in' });
      },
    ],
    [
      'a challenge issued to another session',
      'challenge-invalid',
      async ({ alice, key, session }) => {
        const { session: other } = await f.signIn(alice);
        const o = await f.webauthn.authenticationOptions({ session: other, user: alice });
        return f.webauthn.verifyAuthentication({ session, user: alice, response: key.authenticate(o), purpose: 'sign-in' });
      },
    ],
    [
      'a challenge the server never issued',
      'challenge-invalid',
      async ({ alice, key, session }) => {
        const o = await f.webauthn.authenticationOptions({ session, user: alice });
        return f.webauthn.verifyAuthentication({ session, user: alice, response: key.authenticate(o, { challenge: 'A'.repeat(43) }), purpose: 'sign-in' });
      },
    ],
    [
      'a forged signature',
      'signature-invalid',
      async ({ alice, key, session }) => {
        const o = await f.webauthn.authenticationOptions({ session, user: alice });
        const r = key.authenticate(o);
        const sig = Buffer.from(r.response.signature, 'base64url');
        sig[sig.length - 1]! ^= 1;
        return f.webauthn.verifyAuthentication({ session, user: alice, response: { ...r, response: { ...r.response, signature: sig.toString('base64url') } }, purpose: 'sign-in' });
      },
    ],
    [
      'a registration response where an assertion belongs',
      'response-malformed',
      async ({ alice, key, session }) => {
        const o = await f.webauthn.authenticationOptions({ session, user: alice });
        return f.webauthn.verifyAuthentication({ session, user: alice, response: key.authenticate(o, { type: 'webauthn.create' }), purpose: 'sign-in' });
      },
    ],
  ];

  for (const [what, reason, run] of badInputs) {
    it(`refuses ${what} (${reason}) and changes nothing`, async () => {
      const ctx = await aliceSigningIn();
      const audited = f.audit.events.length;
      await rejects(() => run(ctx), reason);
      expect(await ctx.snapshot()).toEqual(ctx.before);
      const failures = f.audit.events.slice(audited).filter((e) => e.outcome === 'failure');
      expect(failures).toHaveLength(1);
      expect(failures[0]).toMatchObject({ type: 'identity.webauthn.authenticate', actor: 'Radgate::User::"alice"', detail: { reason } });
    });
  }

  it('refuses a replayed assertion: the challenge was spent by the first use', async () => {
    const { alice, key, session } = await aliceSigningIn();
    const o = await f.webauthn.authenticationOptions({ session, user: alice });
    const response = key.authenticate(o);
    await f.webauthn.verifyAuthentication({ session, user: alice, response, purpose: 'sign-in' });
    const after = await f.store.webauthn.get(key.id);
    await rejects(() => f.webauthn.verifyAuthentication({ session, user: alice, response, purpose: 'sign-in' }), 'challenge-invalid');
    expect(await f.store.webauthn.get(key.id)).toEqual(after);
    expect(await f.store.webauthn.get(key.id)).toMatchObject({ lockedAt: null });
  });

  it('locks a key whose counter goes backwards, raises an alert and ends the sessions it verified', async () => {
    const { alice, key, session } = await aliceSigningIn();
    let o = await f.webauthn.authenticationOptions({ session, user: alice });
    await f.webauthn.verifyAuthentication({ session, user: alice, response: key.authenticate(o), purpose: 'sign-in' });
    o = await f.webauthn.authenticationOptions({ session, user: alice });
    await f.webauthn.verifyAuthentication({ session, user: alice, response: key.authenticate(o), purpose: 'sign-in' });
    // A clone still at counter 1 (the original is at 2).
    const { session: s2 } = await f.signIn(alice);
    o = await f.webauthn.authenticationOptions({ session: s2, user: alice });
    await rejects(() => f.webauthn.verifyAuthentication({ session: s2, user: alice, response: key.authenticate(o, { counter: 1 }), purpose: 'sign-in' }), 'counter-regression');
    expect(await f.store.webauthn.get(key.id)).toMatchObject({ counter: 2, lockReason: 'counter-regression', lockedAt: f.clock.t });
    expect(f.audit.events).toContainEqual(
      expect.objectContaining({ type: 'identity.webauthn.counter-regression', outcome: 'alert', detail: expect.objectContaining({ credentialId: key.id, storedCounter: 2, receivedCounter: 1 }) }),
    );
    expect((await f.sessions.getSession(session.id))?.state).toBe('ended');
    expect((await f.sessions.getSession(s2.id))?.state).toBe('pending-key');
    await f.bus.drain();
    expect(f.events).toContainEqual({ type: 'session.ended', sessionId: session.id, userId: 'alice', reason: 'credential-locked' });
    // A locked key is no longer offered, and the genuine authenticator is refused too.
    o = await f.webauthn.authenticationOptions({ session: s2, user: alice });
    expect(o.allowCredentials).toEqual([]);
    await rejects(() => f.webauthn.verifyAuthentication({ session: s2, user: alice, response: key.authenticate(o), purpose: 'sign-in' }), 'credential-locked');
  });

  it('does not let a forged low-counter assertion lock a key', async () => {
    const { alice, key, session, before } = await aliceSigningIn();
    const o = await f.webauthn.authenticationOptions({ session, user: alice });
    // Someone without the private key: right credential id, counter 0, bad signature.
    const r = f.authenticator().authenticate(o, { counter: 0 });
    await rejects(() => f.webauthn.verifyAuthentication({ session, user: alice, response: { ...r, id: key.id, rawId: key.id }, purpose: 'sign-in' }), 'signature-invalid');
    expect(await f.store.webauthn.get(key.id)).toEqual(before.key);
  });

  it('accepts authenticators that keep their counter at zero', async () => {
    const { alice, key, session } = await aliceSigningIn();
    for (let i = 0; i < 2; i++) {
      const o = await f.webauthn.authenticationOptions({ session, user: alice });
      await f.webauthn.verifyAuthentication({ session, user: alice, response: key.authenticate(o, { counter: 0 }), purpose: 'sign-in' });
    }
    expect(await f.store.webauthn.get(key.id)).toMatchObject({ counter: 0, lockedAt: null });
  });

  it('requires user verification for roles that config marks so', async () => {
    const { alice, key, session } = await aliceSigningIn(['admin']);
    const o = await f.webauthn.authenticationOptions({ session, user: alice });
    expect(o.userVerification).toBe('required');
    await rejects(() => f.webauthn.verifyAuthentication({ session, user: alice, response: key.authenticate(o, { userVerified: false }), purpose: 'sign-in' }), 'user-verification-required');
    // Without such a role, presence is enough.
    const bob = await f.user('bob');
    const { key: bobKey } = await f.enrol(bob);
    const { session: bs } = await f.signIn(bob);
    const bo = await f.webauthn.authenticationOptions({ session: bs, user: bob });
    const r = await f.webauthn.verifyAuthentication({ session: bs, user: bob, response: bobKey.authenticate(bo, { userVerified: false }), purpose: 'sign-in' });
    expect(r.userVerified).toBe(false);
  });

  it('refuses a disabled user and an ended session', async () => {
    const { alice, key, session } = await aliceSigningIn();
    const o = await f.webauthn.authenticationOptions({ session, user: alice });
    await rejects(() => f.webauthn.verifyAuthentication({ session, user: { ...alice, disabled: true }, response: key.authenticate(o), purpose: 'sign-in' }), 'user-disabled');
    await rejects(() => f.webauthn.verifyAuthentication({ session: { ...session, state: 'ended' }, user: alice, response: key.authenticate(o), purpose: 'sign-in' }), 'session-ended');
  });
});
