import { createHash, randomBytes } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEventInput } from '../../audit/index.js';
import { RadgateError } from '../../errors/index.js';
import { openStore, type Store } from '../../store/index.js';
import { createAgentLogin, type AgentLogin } from './createAgentLogin.js';
import { OAuthError } from './OAuthError.js';
import type { MintAgentSession } from './types.js';

const REDIRECT = 'http://127.0.0.1:49152/callback';

function pkce() {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

describe('agent loopback login (RFC 8252 + PKCE)', () => {
  let store: Store;
  let now: number;
  let events: AuditEventInput[];
  let minted: { parentSessionId: string; userId: string }[];
  let login: AgentLogin;

  beforeEach(async () => {
    store = await openStore({ location: ':memory:' });
    now = Date.UTC(2026, 0, 1);
    events = [];
    minted = [];
    const mintAgentSession: MintAgentSession = async (input) => {
      minted.push(input);
      return { token: 'agent-token', sessionId: 'agent-1', expiresAt: now + 3600_000, user: { id: input.userId, displayName: 'Alice', kind: 'workforce' } };
    };
    login = createAgentLogin({
      challenges: store.challenges,
      audit: { append: async (e) => (events.push(e), { seq: events.length, hash: 'h' }) },
      clock: () => new Date(now),
      publicUrl: 'https://radgate.example',
      mintAgentSession,
    });
  });
  afterEach(() => store.close());

  async function authorize(challenge: string, redirectUri = REDIRECT) {
    const { redirectTo } = await login.createLoopbackCode({ parentSessionId: 's1', userId: 'alice', redirectUri, codeChallenge: challenge, codeChallengeMethod: 'S256', state: 'st-1' });
    const url = new URL(redirectTo);
    return { url, code: url.searchParams.get('code') ?? '' };
  }

  const oauthError = async (p: Promise<unknown>) => {
    const err = await p.then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(OAuthError);
    return (err as OAuthError).error;
  };

  it('redirects to the loopback URI with the code and state, and issues a token for the right verifier', async () => {
    const { verifier, challenge } = pkce();
    const { url, code } = await authorize(challenge);
    expect(`${url.origin}${url.pathname}`).toBe(REDIRECT);
    expect(url.searchParams.get('state')).toBe('st-1');
    expect(code).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const res = await login.issueAgentToken({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT });
    expect(res).toMatchObject({ session_token: 'agent-token', token_type: 'Bearer', session_id: 'agent-1', expires_in: 3600, user: { id: 'alice', displayName: 'Alice', kind: 'workforce' } });
    expect(res.expires_at).toBe(new Date(now + 3600_000).toISOString());
    expect(minted).toEqual([{ parentSessionId: 's1', userId: 'alice' }]);
    expect(events.map((e) => [e.type, e.outcome])).toEqual([
      ['identity.agent.authorize', 'success'],
      ['identity.agent.token', 'success'],
    ]);
    // No secrets in the audit trail.
    expect(JSON.stringify(events)).not.toContain(code);
    expect(JSON.stringify(events)).not.toContain(verifier);
    expect(JSON.stringify(events)).not.toContain('agent-token');
  });

  it('never stores the code in the clear', async () => {
    const { challenge } = pkce();
    const { code } = await authorize(challenge);
    const hash = createHash('sha256').update(code).digest('hex');
    expect(await store.challenges.peek(code, 'agent.loopback-code', now)).toBeUndefined();
    expect(await store.challenges.peek(hash, 'agent.loopback-code', now)).toMatchObject({ userId: 'alice', sessionId: 's1' });
  });

  it('refuses a code_verifier that does not match the challenge, and burns the code', async () => {
    const { verifier, challenge } = pkce();
    const { code } = await authorize(challenge);
    expect(await oauthError(login.issueAgentToken({ grant_type: 'authorization_code', code, code_verifier: pkce().verifier, redirect_uri: REDIRECT }))).toBe('invalid_grant');
    expect(await oauthError(login.issueAgentToken({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT }))).toBe('invalid_grant');
    expect(minted).toEqual([]);
    expect(events.filter((e) => e.type === 'identity.agent.token').map((e) => e.detail?.reason)).toEqual(['pkce-mismatch', 'unknown-code']);
  });

  it('refuses a replayed code', async () => {
    const { verifier, challenge } = pkce();
    const { code } = await authorize(challenge);
    const req = { grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT };
    await login.issueAgentToken(req);
    expect(await oauthError(login.issueAgentToken(req))).toBe('invalid_grant');
    expect(minted).toHaveLength(1);
  });

  it('refuses a code presented with another redirect_uri', async () => {
    const { verifier, challenge } = pkce();
    const { code } = await authorize(challenge);
    expect(await oauthError(login.issueAgentToken({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: 'http://127.0.0.1:49153/callback' }))).toBe('invalid_grant');
    expect(events.at(-1)).toMatchObject({ type: 'identity.agent.token', outcome: 'failure', actor: 'Radgate::User::"alice"', detail: { reason: 'redirect-uri-mismatch' } });
  });

  it('refuses a code older than 60 seconds', async () => {
    const { verifier, challenge } = pkce();
    const { code } = await authorize(challenge);
    now += 60_000;
    expect(await oauthError(login.issueAgentToken({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT }))).toBe('invalid_grant');
  });

  it('accepts a code just inside its 60 seconds', async () => {
    const { verifier, challenge } = pkce();
    const { code } = await authorize(challenge);
    now += 59_999;
    await expect(login.issueAgentToken({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT })).resolves.toMatchObject({ session_id: 'agent-1' });
  });

  it.each([
    ['http://localhost:49152/callback', 'localhost'],
    ['http://127.0.0.1:49152/callback#frag', 'fragment'],
    ['https://evil.example/callback', 'not-http'],
    ['http://192.168.1.5:49152/callback', 'not-loopback'],
  ])('refuses to authorize redirect_uri %s', async (redirectUri) => {
    await expect(authorize(pkce().challenge, redirectUri)).rejects.toMatchObject({ name: 'RadgateError', code: 'bad-request' });
    expect(events.at(-1)).toMatchObject({ type: 'identity.agent.authorize', outcome: 'failure', detail: { reason: 'redirect-uri' } });
  });

  it('refuses the plain PKCE method and malformed challenges or state', async () => {
    const base = { parentSessionId: 's1', userId: 'alice', redirectUri: REDIRECT, codeChallenge: pkce().challenge, state: 'x' };
    await expect(login.createLoopbackCode({ ...base, codeChallengeMethod: 'plain' })).rejects.toBeInstanceOf(RadgateError);
    await expect(login.createLoopbackCode({ ...base, codeChallenge: 'short' })).rejects.toBeInstanceOf(RadgateError);
    await expect(login.createLoopbackCode({ ...base, state: '' })).rejects.toBeInstanceOf(RadgateError);
    await expect(login.createLoopbackCode({ ...base, state: 'a b' })).rejects.toBeInstanceOf(RadgateError);
  });

  it('answers protocol errors for missing, repeated or unknown parameters', async () => {
    expect(await oauthError(login.issueAgentToken({ grant_type: 'password' }))).toBe('unsupported_grant_type');
    expect(await oauthError(login.issueAgentToken({}))).toBe('unsupported_grant_type');
    expect(await oauthError(login.issueAgentToken({ grant_type: 'authorization_code', code: 'x', redirect_uri: REDIRECT }))).toBe('invalid_request');
    expect(await oauthError(login.issueAgentToken({ grant_type: 'authorization_code', code: ['a', 'b'], code_verifier: 'v', redirect_uri: REDIRECT }))).toBe('invalid_request');
  });

  it('turns a refused mint (parent session ended) into invalid_grant', async () => {
    const deps = {
      challenges: store.challenges,
      audit: { append: async (e: AuditEventInput) => (events.push(e), { seq: 1, hash: 'h' }) },
      clock: () => new Date(now),
      publicUrl: 'https://radgate.example',
      mintAgentSession: async () => {
        throw new RadgateError('unauthenticated', 'session ended');
      },
    };
    const ended = createAgentLogin(deps);
    const { verifier, challenge } = pkce();
    const { redirectTo } = await ended.createLoopbackCode({ parentSessionId: 's1', userId: 'alice', redirectUri: REDIRECT, codeChallenge: challenge, state: 's' });
    const code = new URL(redirectTo).searchParams.get('code') ?? '';
    expect(await oauthError(ended.issueAgentToken({ grant_type: 'authorization_code', code, code_verifier: verifier, redirect_uri: REDIRECT }))).toBe('invalid_grant');
  });
});
