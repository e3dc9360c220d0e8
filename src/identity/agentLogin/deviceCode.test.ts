import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEventInput } from '../../audit/index.js';
import { openStore, type Store } from '../../store/index.js';
import { createAgentLogin, type AgentLogin } from './createAgentLogin.js';
import { normalizeUserCode, USER_CODE_ALPHABET } from './handles.js';
import { DEVICE_CODE_GRANT } from './issueAgentToken.js';
import { OAuthError } from './OAuthError.js';

describe('agent device login (RFC 8628)', () => {
  let store: Store;
  let now: number;
  let events: AuditEventInput[];
  let mints: number;
  let login: AgentLogin;

  beforeEach(async () => {
    store = await openStore({ location: ':memory:' });
    now = Date.UTC(2026, 0, 1);
    events = [];
    mints = 0;
    login = createAgentLogin({
      challenges: store.challenges,
      audit: { append: async (e) => (events.push(e), { seq: events.length, hash: 'h' }) },
      clock: () => new Date(now),
      publicUrl: 'https://radgate.example:8443',
      mintAgentSession: async ({ userId }) => ({ token: `tok-${++mints}`, sessionId: `agent-${mints}`, expiresAt: now + 3600_000, user: { id: userId, displayName: null, kind: 'vendor' } }),
    });
  });
  afterEach(() => store.close());

  const poll = (device_code: string) => login.issueAgentToken({ grant_type: DEVICE_CODE_GRANT, device_code });
  const pollError = (device_code: string) =>
    poll(device_code).then(
      () => 'issued',
      (e: unknown) => (e instanceof OAuthError ? e.error : Promise.reject(e)),
    );

  it('answers in RFC 8628 3.2 shape with an unambiguous XXXX-XXXX user code', async () => {
    const r = await login.startDeviceAuthorization({ address: '10.0.0.9' });
    expect(r.device_code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(r.user_code).toMatch(new RegExp(`^[${USER_CODE_ALPHABET}]{4}-[${USER_CODE_ALPHABET}]{4}$`));
    expect(r).toMatchObject({ verification_uri: 'https://radgate.example:8443/agent/device', expires_in: 600, interval: 5 });
    expect(r.verification_uri_complete).toBe(`https://radgate.example:8443/agent/device?user_code=${r.user_code}`);
    const hash = (s: string) => createHash('sha256').update(s).digest('hex');
    expect(await store.challenges.peek(hash(r.device_code), 'agent.device-code', now)).toBeDefined();
    expect(await store.challenges.peek(r.device_code, 'agent.device-code', now)).toBeUndefined();
    expect(await store.challenges.peek(hash(normalizeUserCode(r.user_code) ?? ''), 'agent.user-code', now)).toBeDefined();
    expect(JSON.stringify(events)).not.toContain(r.device_code);
    expect(JSON.stringify(events)).not.toContain(r.user_code);
  });

  it('goes pending, then slow_down when polled too fast, then approved; the token is issued once', async () => {
    const r = await login.startDeviceAuthorization();
    expect(await pollError(r.device_code)).toBe('authorization_pending');
    now += 2_000;
    expect(await pollError(r.device_code)).toBe('slow_down');
    // The interval is now 10 s: 6 s later is still too fast.
    now += 6_000;
    expect(await pollError(r.device_code)).toBe('slow_down');
    now += 15_000;
    expect(await pollError(r.device_code)).toBe('authorization_pending');

    expect(await login.lookupUserCode(r.user_code.toLowerCase().replace('-', ' '))).toMatchObject({ userCode: r.user_code });
    await login.approveDeviceCode({ userCode: r.user_code, parentSessionId: 's1', userId: 'vendor-bob' });
    expect(await login.lookupUserCode(r.user_code)).toBeUndefined();

    now += 15_000;
    await expect(poll(r.device_code)).resolves.toMatchObject({ session_token: 'tok-1', session_id: 'agent-1', user: { id: 'vendor-bob', kind: 'vendor' } });
    now += 15_000;
    expect(await pollError(r.device_code)).toBe('invalid_grant');
    expect(mints).toBe(1);
    expect(events.map((e) => `${e.type}:${e.outcome}:${(e.detail?.action ?? e.detail?.error ?? '') as string}`)).toEqual([
      'identity.agent.device:success:start',
      'identity.agent.device:success:approve',
      'identity.agent.token:success:',
      'identity.agent.token:failure:invalid_grant',
    ]);
  });

  it('reports access_denied once the user denies', async () => {
    const r = await login.startDeviceAuthorization();
    await login.denyDeviceCode(r.user_code, { parentSessionId: 's1', userId: 'alice' });
    expect(await pollError(r.device_code)).toBe('access_denied');
    expect(mints).toBe(0);
    await expect(login.approveDeviceCode({ userCode: r.user_code, parentSessionId: 's1', userId: 'alice' })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('reports expired_token after ten minutes, and refuses a late approval', async () => {
    const r = await login.startDeviceAuthorization();
    now += 600_000;
    expect(await login.lookupUserCode(r.user_code)).toBeUndefined();
    await expect(login.approveDeviceCode({ userCode: r.user_code, parentSessionId: 's1', userId: 'alice' })).rejects.toMatchObject({ code: 'not-found' });
    expect(await pollError(r.device_code)).toBe('expired_token');
    expect(await pollError(r.device_code)).toBe('invalid_grant');
  });

  it('refuses unknown or malformed user codes', async () => {
    await login.startDeviceAuthorization();
    for (const code of ['BCDF-GHJK', 'AEIO-U123', '', 'BCDF-GHJ', 'x'.repeat(100)]) {
      expect(await login.lookupUserCode(code)).toBeUndefined();
      await expect(login.approveDeviceCode({ userCode: code, parentSessionId: 's1', userId: 'alice' })).rejects.toMatchObject({ name: 'RadgateError', code: 'not-found' });
    }
    expect(events.filter((e) => e.outcome === 'failure').every((e) => e.detail?.reason === 'unknown-user-code')).toBe(true);
  });

  it('refuses unknown device codes with invalid_grant', async () => {
    expect(await pollError('A'.repeat(43))).toBe('invalid_grant');
    expect(await pollError('short')).toBe('invalid_grant');
    expect(await login.issueAgentToken({ grant_type: DEVICE_CODE_GRANT }).catch((e: OAuthError) => e.error)).toBe('invalid_request');
  });

  it('lets a user code be decided once only', async () => {
    const r = await login.startDeviceAuthorization();
    const results = await Promise.allSettled([
      login.approveDeviceCode({ userCode: r.user_code, parentSessionId: 's1', userId: 'alice' }),
      login.approveDeviceCode({ userCode: r.user_code, parentSessionId: 's2', userId: 'mallory' }),
    ]);
    expect(results.filter((x) => x.status === 'fulfilled')).toHaveLength(1);
    await expect(poll(r.device_code)).resolves.toMatchObject({ user: { id: 'alice' } });
  });

  it('normalizes what the user typed (RFC 8628 6.1)', () => {
    expect(normalizeUserCode('bcdf-ghjk')).toBe('BCDFGHJK');
    expect(normalizeUserCode(' BCDF GHJK ')).toBe('BCDFGHJK');
    expect(normalizeUserCode('BCDF-GHJA')).toBeUndefined();
  });
});
