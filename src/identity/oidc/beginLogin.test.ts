import { createHash } from 'node:crypto';
import * as client from 'openid-client';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../../config/index.js';
import { openStore } from '../../store/index.js';
import { beginLogin } from './beginLogin.js';
import { OidcError } from './OidcError.js';
import type { OidcClients, OidcRpDeps } from './types.js';

const NOW = 1_800_000_000_000;

async function setup(ttl?: number) {
  const store = await openStore({ location: ':memory:' });
  const [idp] = configSchema.parse({
    identity: { idps: [{ name: 'hospital', issuer: 'https://idp.example', clientId: 'radgate', clientSecret: 's', scopes: ['profile', 'groups'] }] },
  }).identity.idps;
  const configuration = new client.Configuration(
    { issuer: 'https://idp.example', authorization_endpoint: 'https://idp.example/authorize', token_endpoint: 'https://idp.example/token' },
    'radgate',
    's',
  );
  const clients: OidcClients = {
    names: () => ['hospital'],
    has: (n) => n === 'hospital',
    get(n) {
      if (n !== 'hospital') throw new OidcError('idp-unknown');
      return { config: idp!, configuration: async () => configuration, keys: () => Promise.reject(new Error('unused')) };
    },
  };
  const deps: OidcRpDeps = {
    clients,
    store,
    audit: { append: () => Promise.reject(new Error('unused')) },
    bus: { emit: () => undefined },
    redirectUri: 'https://radgate.example/auth/oidc/callback',
    now: () => NOW,
    ...(ttl !== undefined ? { transactionTtlSeconds: ttl } : {}),
  };
  return { store, deps };
}

describe('beginLogin', () => {
  it('sends PKCE S256, state, nonce, openid scope and our redirect URI', async () => {
    const { deps } = await setup();
    const begun = await beginLogin(deps, { idp: 'hospital', returnTo: '/studies' });
    const url = new URL(begun.url);
    expect(`${url.origin}${url.pathname}`).toBe('https://idp.example/authorize');
    const p = url.searchParams;
    expect(p.get('response_type')).toBe('code');
    expect(p.get('client_id')).toBe('radgate');
    expect(p.get('redirect_uri')).toBe('https://radgate.example/auth/oidc/callback');
    expect(p.get('scope')).toBe('openid profile groups');
    expect(p.get('code_challenge_method')).toBe('S256');
    expect(p.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(p.get('state')).toBe(begun.state);
    expect(p.get('nonce')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('stores the transaction single-use under the hash of state, never the state itself, for at most ten minutes', async () => {
    const { deps, store } = await setup(3600);
    const begun = await beginLogin(deps, { idp: 'hospital', returnTo: 'https://evil.example', agentRequest: 'agent-1' });
    expect(begun.expiresAt).toBe(NOW + 600_000);
    const idHash = createHash('sha256').update(begun.state).digest('hex');
    const row = await store.challenges.take(idHash, 'oidc.login', NOW);
    expect(row).toMatchObject({ purpose: 'oidc.login', expiresAt: NOW + 600_000 });
    expect(row!.payload).not.toContain(begun.state);
    const tx = JSON.parse(row!.payload) as Record<string, unknown>;
    expect(tx).toMatchObject({ idp: 'hospital', returnTo: '/', agentRequest: 'agent-1', nonce: new URL(begun.url).searchParams.get('nonce') });
    const challenge = await client.calculatePKCECodeChallenge(tx.codeVerifier as string);
    expect(new URL(begun.url).searchParams.get('code_challenge')).toBe(challenge);
    expect(await store.challenges.take(idHash, 'oidc.login', NOW)).toBeUndefined();
  });

  it('refuses an IdP that is not configured', async () => {
    const { deps } = await setup();
    await expect(beginLogin(deps, { idp: 'elsewhere' })).rejects.toMatchObject({ code: 'bad-request', reason: 'idp-unknown' });
  });
});
