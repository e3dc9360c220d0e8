import { afterEach, describe, expect, it } from 'vitest';
import { identityFixture, type Fixture } from './identityFixture.testkit.js';
import { isWebauthnError } from './WebauthnError.js';

let f: Fixture;
afterEach(() => f?.close());

async function reason(p: Promise<unknown>): Promise<string | undefined> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  return isWebauthnError(err) ? err.reason : String(err);
}

/** Alice with two keys, signed in (fresh) with the first. */
async function aliceWithTwoKeys() {
  f = await identityFixture();
  const alice = await f.user('alice');
  const { key: first, session } = await f.enrol(alice);
  const second = f.authenticator();
  const o = await f.webauthn.registrationOptions({ session, user: alice });
  await f.webauthn.verifyRegistration({ session, user: alice, response: second.register(o), name: 'Backup key' });
  return { alice, first, second, session };
}

describe('key management', () => {
  it('lists, renames and removes keys; refuses to remove the last one', async () => {
    const { first, second, session } = await aliceWithTwoKeys();
    expect((await f.webauthn.listKeys('alice')).map((k) => [k.id, k.name])).toEqual([
      [first.id, 'Security key 1'],
      [second.id, 'Backup key'],
    ]);
    await f.webauthn.renameKey({ userId: 'alice', credentialId: first.id, name: 'Blue key' });
    expect(await reason(f.webauthn.renameKey({ userId: 'alice', credentialId: first.id, name: 'x\u0000y' }))).toBe('name-invalid');
    expect(await reason(f.webauthn.renameKey({ userId: 'bob', credentialId: first.id, name: 'mine' }))).toBe('key-not-found');

    await f.webauthn.removeKey({ userId: 'alice', credentialId: second.id, actorUserId: 'alice', currentSessionId: session.id });
    const audited = f.audit.events.length;
    expect(await reason(f.webauthn.removeKey({ userId: 'alice', credentialId: first.id, actorUserId: 'alice' }))).toBe('last-key');
    expect((await f.webauthn.listKeys('alice')).map((k) => k.name)).toEqual(['Blue key']);
    expect(f.audit.events.slice(audited)).toEqual([
      expect.objectContaining({ type: 'identity.webauthn.key.remove', outcome: 'failure', detail: expect.objectContaining({ reason: 'last-key' }) }),
    ]);
    // Admin help: the last key goes, named loudly.
    await f.webauthn.removeKey({ userId: 'alice', credentialId: first.id, actorUserId: 'admin', allowLastKey: true });
    expect(await f.webauthn.listKeys('alice')).toEqual([]);
  });

  it("refuses to remove another user's key", async () => {
    const { first } = await aliceWithTwoKeys();
    expect(await reason(f.webauthn.removeKey({ userId: 'bob', credentialId: first.id, actorUserId: 'bob' }))).toBe('key-not-found');
    expect(await f.store.webauthn.get(first.id)).toBeDefined();
  });

  it('ends the other sessions a removed key verified, keeping the current one', async () => {
    const { alice, first, session } = await aliceWithTwoKeys();
    const { session: other } = await f.signIn(alice);
    const o = await f.webauthn.authenticationOptions({ session: other, user: alice });
    await f.webauthn.verifyAuthentication({ session: other, user: alice, response: first.authenticate(o), purpose: 'sign-in' });
    await f.webauthn.removeKey({ userId: 'alice', credentialId: first.id, actorUserId: 'alice', currentSessionId: session.id });
    expect((await f.sessions.getSession(other.id))?.state).toBe('ended');
    expect((await f.sessions.getSession(session.id))?.state).toBe('active');
  });

  it('lets a user whose only key is locked register again only with an enrolment code', async () => {
    f = await identityFixture();
    const alice = await f.user('alice');
    const { key } = await f.enrol(alice);
    await f.store.webauthn.lock(key.id, 'counter-regression', f.clock.t);
    const { session } = await f.signIn(alice);
    const o = await f.webauthn.registrationOptions({ session, user: alice });
    expect(await reason(f.webauthn.verifyRegistration({ session, user: alice, response: f.authenticator().register(o) }))).toBe('enrolment-code-required');
    const { code } = await f.webauthn.issueEnrolmentCode({ userId: 'alice', createdBy: 'admin' });
    const o2 = await f.webauthn.registrationOptions({ session, user: alice });
    const r = await f.webauthn.verifyRegistration({ session, user: alice, response: f.authenticator().register(o2), enrolmentCode: code });
    expect(r.session.state).toBe('active');
  });
});
