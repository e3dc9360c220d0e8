import { describe, expect, it } from 'vitest';
import { openStore } from './openStore.js';

describe('identity repositories', () => {
  it('hands out a challenge once, and never after it expired', async () => {
    const store = await openStore({ location: ':memory:' });
    const row = { idHash: 'h1', purpose: 'webauthn.authenticate', sessionId: 's', userId: 'u', payload: '{}', createdAt: 0, expiresAt: 1000 };
    await store.challenges.put(row);
    expect(await store.challenges.take('h1', 'webauthn.register', 10)).toBeUndefined();
    expect(await store.challenges.take('h1', 'webauthn.authenticate', 10)).toMatchObject({ userId: 'u' });
    expect(await store.challenges.take('h1', 'webauthn.authenticate', 10)).toBeUndefined();
    await store.challenges.put({ ...row, idHash: 'h2' });
    expect(await store.challenges.take('h2', 'webauthn.authenticate', 1000)).toBeUndefined();
    expect(await store.challenges.take('h2', 'webauthn.authenticate', 10)).toBeUndefined();
    await store.close();
  });

  it('uses an enrolment code once, only for its user, only before it expires', async () => {
    const store = await openStore({ location: ':memory:' });
    await store.challenges.putEnrolmentCode({ codeHash: 'c', userId: 'u1', createdBy: 'admin', createdAt: 0, expiresAt: 100 });
    expect(await store.challenges.useEnrolmentCode('c', 'u2', 1)).toBe(false);
    expect(await store.challenges.useEnrolmentCode('c', 'u1', 100)).toBe(false);
    expect(await store.challenges.useEnrolmentCode('c', 'u1', 1)).toBe(true);
    expect(await store.challenges.useEnrolmentCode('c', 'u1', 2)).toBe(false);
    await store.close();
  });

  it('finds sessions by token hash and ends them once', async () => {
    const store = await openStore({ location: ':memory:' });
    const base = { userId: 'u', kind: 'browser' as const, state: 'active' as const, idp: 'hospital', csrfSecret: 'x', createdAt: 1, lastSeenAt: 1, expiresAt: 99, oidcAt: 1 };
    await store.sessions.insert({ ...base, id: 's1', tokenHash: 't1', idpSid: 'sid-a' });
    await store.sessions.insert({ ...base, id: 's2', tokenHash: 't2', idpSid: 'sid-b' });
    expect((await store.sessions.getByTokenHash('t1'))?.id).toBe('s1');
    expect(await store.sessions.endWhere({ idpSid: 'sid-a' }, 'backchannel-logout', 5)).toEqual(['s1']);
    expect(await store.sessions.end('s1', 'again', 6)).toBe(false);
    expect((await store.sessions.getByTokenHash('t1'))?.state).toBe('ended');
    expect(await store.sessions.endWhere({}, 'nothing', 7)).toEqual([]);
    expect((await store.sessions.listForUser('u')).map((s) => s.id)).toEqual(['s2']);
    await store.close();
  });

  it('keeps IdP updates from re-enabling a disabled user', async () => {
    const store = await openStore({ location: ':memory:' });
    const row = { id: 'u1', issuer: 'https://idp', subject: 'alice', kind: 'workforce' as const, createdAt: 1, updatedAt: 1 };
    await store.users.upsertFromIdp(row);
    await store.users.setDisabled('u1', true, 2);
    const again = await store.users.upsertFromIdp({ ...row, id: 'ignored', department: 'radiology', updatedAt: 3 });
    expect(again).toMatchObject({ id: 'u1', disabled: true, department: 'radiology' });
    await store.close();
  });

  it('records a credential use only when the stored counter is the expected one', async () => {
    const store = await openStore({ location: ':memory:' });
    await store.webauthn.insert({ id: 'k1', userId: 'u', publicKey: 'pk', counter: 1, aaguid: '00', name: 'key', createdAt: 1 });
    expect(await store.webauthn.recordUse('k1', 0, 2, 5)).toBe(false);
    expect(await store.webauthn.recordUse('k1', 1, 2, 5)).toBe(true);
    expect(await store.webauthn.lock('k1', 'counter-regression', 6)).toBe(true);
    expect(await store.webauthn.recordUse('k1', 2, 3, 7)).toBe(false);
    expect(await store.webauthn.countActive('u')).toBe(0);
    await store.close();
  });
});
