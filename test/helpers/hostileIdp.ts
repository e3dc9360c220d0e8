// A hostile OpenID Provider for negative tests: it serves discovery, JWKS and a token
// endpoint like an IdP, but hands out whatever ID token the test crafts (wrong audience,
// expired, alg "none", signed with a key it never published, …). Never for the happy path.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { base64url, calculateJwkThumbprint, exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';

export interface HostileIdp {
  readonly issuer: string;
  readonly clientId: string;
  /** kid of the one key the IdP publishes. */
  readonly publishedKid: string;
  /** The ID token the next token request returns (built when the request arrives; '' for none). */
  nextIdToken: (() => Promise<string>) | undefined;
  /** Signs with the published key (or another one) and any header/alg the test wants. */
  sign(claims: JWTPayload, options?: { key?: 'published' | 'unpublished'; typ?: string; kid?: string }): Promise<string>;
  /** An unsigned JWT (alg "none"). */
  unsigned(claims: JWTPayload): string;
  /** Claims a well-formed ID token would have for this nonce (override per test). */
  idTokenClaims(nonce: string, overrides?: JWTPayload): JWTPayload;
  stop(): Promise<void>;
}

export async function startHostileIdp(options: { clientId: string; advertiseAlgs?: string[] }): Promise<HostileIdp> {
  const published = await keyPair();
  const unpublished = await keyPair();
  let issuer = '';
  const state: { nextIdToken: (() => Promise<string>) | undefined } = { nextIdToken: undefined };

  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', issuer);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname === '/.well-known/openid-configuration') {
      return json(200, {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        userinfo_endpoint: `${issuer}/userinfo`,
        jwks_uri: `${issuer}/jwks`,
        response_types_supported: ['code'],
        subject_types_supported: ['public'],
        // A hostile IdP may well claim to support "none": the RP must not care.
        id_token_signing_alg_values_supported: options.advertiseAlgs ?? ['ES256', 'none'],
        code_challenge_methods_supported: ['S256'],
      });
    }
    if (url.pathname === '/jwks') return json(200, { keys: [published.publicJwk] });
    if (url.pathname === '/token' && req.method === 'POST') {
      req.resume();
      req.on('end', () => {
        const make = state.nextIdToken;
        if (!make) return json(400, { error: 'invalid_grant' });
        make().then(
          (idToken) => json(200, { access_token: 'hostile-access-token', token_type: 'Bearer', expires_in: 60, ...(idToken ? { id_token: idToken } : {}) }),
          (err: Error) => json(500, { error: 'server_error', error_description: err.message }),
        );
      });
      return;
    }
    if (url.pathname === '/userinfo') return json(200, { sub: 'mallory' });
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const sign: HostileIdp['sign'] = (claims, o = {}) => {
    const k = o.key === 'unpublished' ? unpublished : published;
    return new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: o.kid ?? k.kid, ...(o.typ ? { typ: o.typ } : {}) }).sign(k.privateKey);
  };
  return {
    issuer,
    clientId: options.clientId,
    publishedKid: published.kid,
    get nextIdToken() {
      return state.nextIdToken;
    },
    set nextIdToken(v) {
      state.nextIdToken = v;
    },
    sign,
    unsigned: (claims) => `${base64url.encode(JSON.stringify({ alg: 'none', typ: 'JWT' }))}.${base64url.encode(JSON.stringify(claims))}.`,
    idTokenClaims: (nonce, overrides = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return { iss: issuer, sub: 'mallory', aud: options.clientId, iat: now, exp: now + 300, nonce, ...overrides };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

async function keyPair(): Promise<{ privateKey: CryptoKey; publicJwk: JWK; kid: string }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = await exportJWK(publicKey);
  const kid = await calculateJwkThumbprint(jwk);
  return { privateKey, publicJwk: { ...jwk, kid, alg: 'ES256', use: 'sig' }, kid };
}
