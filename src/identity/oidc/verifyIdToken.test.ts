import { base64url, createLocalJWKSet, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { beforeAll, describe, expect, it } from 'vitest';
import { isOidcError } from './OidcError.js';
import { verifyIdToken, type IdTokenExpectations } from './verifyIdToken.js';

const NOW = Date.UTC(2026, 0, 15, 12, 0, 0);
const T = NOW / 1000;

let es256: CryptoKey;
let rs256: CryptoKey;
let stranger: CryptoKey;
let keys: JWTVerifyGetKey;

const expect_: IdTokenExpectations = { issuer: 'https://idp.example', audience: 'radgate', algorithms: ['ES256'], nonce: 'n-123', now: NOW };
const claims = (over: JWTPayload = {}): JWTPayload => ({ iss: 'https://idp.example', aud: 'radgate', sub: 'alice', iat: T - 10, exp: T + 300, nonce: 'n-123', ...over });

async function sign(payload: JWTPayload, key: CryptoKey = es256, alg = 'ES256', kid = 'es'): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ alg, kid }).sign(key);
}

async function reason(token: string, e: IdTokenExpectations = expect_): Promise<string> {
  try {
    await verifyIdToken(token, keys, e);
  } catch (err) {
    if (isOidcError(err)) return err.reason;
    throw err;
  }
  return 'accepted';
}

beforeAll(async () => {
  const a = await generateKeyPair('ES256', { extractable: true });
  const b = await generateKeyPair('RS256', { extractable: true });
  const c = await generateKeyPair('ES256', { extractable: true });
  es256 = a.privateKey;
  rs256 = b.privateKey;
  stranger = c.privateKey;
  keys = createLocalJWKSet({
    keys: [
      { ...(await exportJWK(a.publicKey)), kid: 'es', alg: 'ES256' },
      { ...(await exportJWK(b.publicKey)), kid: 'rs', alg: 'RS256' },
    ],
  });
});

describe('verifyIdToken', () => {
  it('accepts a token signed by a published key with the expected claims, at the given time', async () => {
    await expect(verifyIdToken(await sign(claims()), keys, expect_)).resolves.toMatchObject({ sub: 'alice', iss: 'https://idp.example' });
  });

  it.each<[string, () => Promise<string>, string]>([
    ['another audience', () => sign(claims({ aud: 'other' })), 'id-token-invalid'],
    ['another issuer', () => sign(claims({ iss: 'https://evil.example' })), 'id-token-invalid'],
    ['expired', () => sign(claims({ exp: T - 60 })), 'id-token-invalid'],
    ['not yet valid', () => sign(claims({ nbf: T + 600 })), 'id-token-invalid'],
    ['no iat', () => sign(claims({ iat: undefined })), 'id-token-invalid'],
    ['no sub', () => sign(claims({ sub: undefined })), 'id-token-invalid'],
    ['an overlong sub', () => sign(claims({ sub: 'x'.repeat(300) })), 'id-token-invalid'],
    ['a sub with control characters', () => sign(claims({ sub: 'alice\nadmin' })), 'id-token-invalid'],
    ['several audiences and azp of another client', () => sign(claims({ aud: ['radgate', 'x'], azp: 'x' })), 'id-token-invalid'],
    ['alg none', async () => `${base64url.encode('{"alg":"none"}')}.${base64url.encode(JSON.stringify(claims()))}.`, 'id-token-invalid'],
    ['an alg outside the allow-list (RS256 when only ES256 is allowed)', () => sign(claims(), rs256, 'RS256', 'rs'), 'id-token-invalid'],
    ['a key nobody published', () => sign(claims(), stranger, 'ES256', 'es'), 'id-token-invalid'],
    ['an unknown kid', () => sign(claims(), stranger, 'ES256', 'nope'), 'id-token-invalid'],
    ['another nonce', () => sign(claims({ nonce: 'n-999' })), 'nonce-mismatch'],
    ['no nonce', () => sign(claims({ nonce: undefined })), 'nonce-mismatch'],
  ])('refuses a token with %s', async (_what, make, expected) => {
    expect(await reason(await make())).toBe(expected);
  });

  it('accepts several audiences when azp names this client', async () => {
    expect(await reason(await sign(claims({ aud: ['radgate', 'x'], azp: 'radgate' })))).toBe('accepted');
  });

  it('judges time by the given now, with 30 s of tolerance', async () => {
    const token = await sign(claims({ exp: T + 10 }));
    expect(await reason(token, { ...expect_, now: NOW + 35_000 })).toBe('accepted');
    expect(await reason(token, { ...expect_, now: NOW + 45_000 })).toBe('id-token-invalid');
  });

  it('never accepts none or symmetric algorithms even when configured', async () => {
    const token = await sign(claims());
    expect(await reason(token, { ...expect_, algorithms: ['none', 'HS256'] })).toBe('id-token-invalid');
  });
});
