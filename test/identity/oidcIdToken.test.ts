// ID tokens that must never sign anyone in, served by a hostile IdP's token endpoint:
// wrong audience or issuer, expired, alg "none", signed with a key the IdP never published.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isOidcError, type OidcError } from '../../src/identity/oidc/index.js';
import { startHostileIdp, type HostileIdp } from '../helpers/hostileIdp.js';
import { oidcFixture, REDIRECT_URI, type OidcFixture } from './oidcFixture.js';

async function rejection(p: Promise<unknown>): Promise<OidcError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isOidcError(err)) throw new Error(`expected an OidcError, got ${String(err)}`);
  return err;
}

describe('ID token validation against a hostile token endpoint', () => {
  let idp: HostileIdp;
  let fx: OidcFixture;

  beforeAll(async () => {
    idp = await startHostileIdp({ clientId: 'radgate' });
    fx = await oidcFixture([
      { name: 'hostile', issuer: idp.issuer, clientId: 'radgate', clientSecret: 's3cret-s3cret', allowInsecureHttp: true, algorithms: ['ES256'] },
    ]);
  });
  afterAll(async () => {
    await fx?.close();
    await idp?.stop();
  });

  /** Runs a sign-in whose token response carries the token `make` builds for this nonce. */
  async function attempt(make: (nonce: string) => Promise<string> | string) {
    const begun = await fx.rp.beginLogin({ idp: 'hostile' });
    const nonce = new URL(begun.url).searchParams.get('nonce')!;
    idp.nextIdToken = async () => make(nonce);
    const callback = new URL(REDIRECT_URI);
    callback.search = new URLSearchParams({ code: 'any-code', state: begun.state }).toString();
    return fx.rp.completeLogin(callback, { browserState: begun.state });
  }

  async function expectRefused(make: (nonce: string) => Promise<string> | string, detail: RegExp): Promise<OidcError> {
    const before = await fx.snapshot();
    const err = await rejection(attempt(make));
    expect(err).toMatchObject({ code: 'unauthenticated', status: 401, reason: 'id-token-invalid' });
    expect(err.detail).toMatch(detail);
    expect(await fx.snapshot()).toEqual(before);
    expect((await fx.auditEvents('identity.login')).at(-1)).toMatchObject({
      outcome: 'failure',
      actor: 'anonymous',
      detail: { idp: 'hostile', reason: 'id-token-invalid' },
    });
    return err;
  }

  it('signs in with a well-formed token signed by the published key (control case)', async () => {
    const result = await attempt((nonce) => idp.sign(idp.idTokenClaims(nonce)));
    expect(result.user).toMatchObject({ issuer: idp.issuer, subject: 'mallory', roles: [] });
  });

  it('refuses an ID token for another audience', async () => {
    await expectRefused((nonce) => idp.sign(idp.idTokenClaims(nonce, { aud: 'some-other-client' })), /aud/);
  });

  it('refuses an ID token that names several audiences without this client as azp', async () => {
    await expectRefused((nonce) => idp.sign(idp.idTokenClaims(nonce, { aud: ['radgate', 'other'], azp: 'other' })), /azp|aud/);
  });

  it('refuses an ID token from another issuer', async () => {
    await expectRefused((nonce) => idp.sign(idp.idTokenClaims(nonce, { iss: 'https://idp.evil.example' })), /iss/);
  });

  it('refuses an expired ID token', async () => {
    const past = Math.floor(Date.now() / 1000) - 3600;
    await expectRefused((nonce) => idp.sign(idp.idTokenClaims(nonce, { iat: past - 600, exp: past })), /exp/);
  });

  it('refuses an unsigned ID token (alg none) even when the IdP advertises none', async () => {
    // openid-client does not check signatures on the code flow; radgate's own check refuses it.
    await expectRefused((nonce) => idp.unsigned(idp.idTokenClaims(nonce)), /ERR_JOSE_ALG_NOT_ALLOWED|ERR_JWS_INVALID/);
  });

  it('refuses an ID token signed with a key the IdP never published, under a published kid', async () => {
    await expectRefused((nonce) => idp.sign(idp.idTokenClaims(nonce), { key: 'unpublished', kid: idp.publishedKid }), /ERR_JWS_SIGNATURE_VERIFICATION_FAILED|ERR_JWKS_NO_MATCHING_KEY/);
  });

  it('refuses an ID token whose kid names no published key', async () => {
    await expectRefused((nonce) => idp.sign(idp.idTokenClaims(nonce), { key: 'unpublished', kid: 'unknown-kid' }), /ERR_JWKS_NO_MATCHING_KEY/);
  });

  it('refuses a token response without an ID token', async () => {
    await expectRefused(() => '', /id_token/);
  });

  it('reports a failing token endpoint as an unavailable IdP, not as a bad token', async () => {
    const before = await fx.snapshot();
    const err = await rejection(attempt(() => Promise.reject(new Error('boom'))));
    expect(err).toMatchObject({ reason: 'idp-unavailable', status: 502, expose: false });
    expect(await fx.snapshot()).toEqual(before);
  });
});
