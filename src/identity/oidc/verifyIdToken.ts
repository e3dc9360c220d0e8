// Verifies an ID token's signature and claims against what the caller expects. radgate
// verifies the signature itself (openid-client 6 does not on the code flow), so the
// per-IdP alg allow-list and the IdP's published keys are enforced on every sign-in.
import { timingSafeEqual } from 'node:crypto';
import { errors as joseErrors, jwtVerify, type JWTPayload, type JWTVerifyGetKey } from 'jose';
import { OidcError } from './OidcError.js';

export interface IdTokenExpectations {
  /** The discovered issuer identifier. */
  issuer: string;
  /** Our client_id at this IdP. */
  audience: string;
  /** The IdP's allow-list; "none" and symmetric algorithms are never accepted. */
  algorithms: readonly string[];
  /** The nonce sent in this login's authorization request. */
  nonce: string;
  /** Epoch milliseconds. */
  now: number;
  /** Allowed clock skew, seconds (default 30). */
  clockToleranceSeconds?: number;
}

export interface IdTokenClaims extends JWTPayload {
  iss: string;
  sub: string;
}

const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/;

export async function verifyIdToken(idToken: string, keys: JWTVerifyGetKey, expect: IdTokenExpectations): Promise<IdTokenClaims> {
  const algorithms = expect.algorithms.filter((a) => ASYMMETRIC.test(a));
  if (algorithms.length === 0) throw new OidcError('id-token-invalid', { detail: 'no acceptable signing algorithm configured' });
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(idToken, keysOrUnavailable(keys), {
      issuer: expect.issuer,
      audience: expect.audience,
      algorithms,
      currentDate: new Date(expect.now),
      clockTolerance: expect.clockToleranceSeconds ?? 30,
      requiredClaims: ['iss', 'sub', 'aud', 'exp', 'iat'],
    }));
  } catch (err) {
    throw joseFailure('id-token-invalid', err);
  }
  // OIDC Core 3.1.3.7 (3): sub is a string; (4) several audiences require azp = our client.
  // eslint-disable-next-line no-control-regex
  if (typeof payload.sub !== 'string' || payload.sub.length === 0 || payload.sub.length > 255 || /[\u0000-\u001f\u007f]|\p{Cs}/u.test(payload.sub)) {
    throw new OidcError('id-token-invalid', { detail: 'ID token sub is missing or malformed' });
  }
  if (Array.isArray(payload.aud) && payload.aud.length > 1 && payload.azp !== expect.audience) {
    throw new OidcError('id-token-invalid', { detail: 'ID token has several audiences and azp is not this client' });
  }
  // OIDC Core 3.1.3.7 (11): the nonce must be the one this login sent.
  if (typeof payload.nonce !== 'string' || !constantTimeEqual(payload.nonce, expect.nonce)) {
    throw new OidcError('nonce-mismatch', { detail: 'ID token nonce differs from the transaction nonce' });
  }
  return payload as IdTokenClaims;
}

/** A key set that could not be fetched: the IdP's fault, not the token's. */
class KeysUnavailable extends Error {
  override readonly name = 'KeysUnavailable';
}

/** Marks failures to obtain the IdP's keys, so they are not mistaken for a bad token. */
export function keysOrUnavailable(keys: JWTVerifyGetKey): JWTVerifyGetKey {
  return async (header, token) => {
    try {
      return await keys(header, token);
    } catch (err) {
      // No key for this kid/alg is the token's problem (unknown or unpublished key).
      if (err instanceof joseErrors.JWKSNoMatchingKey || err instanceof joseErrors.JWKSMultipleMatchingKeys) throw err;
      throw new KeysUnavailable(err instanceof Error ? err.message : String(err), { cause: err });
    }
  };
}

/** Maps a jose failure to a stable reason. */
export function joseFailure(reason: 'id-token-invalid' | 'logout-token-invalid', err: unknown): OidcError {
  if (err instanceof OidcError) return err;
  if (err instanceof KeysUnavailable) return new OidcError('idp-unavailable', { detail: `signing keys unavailable: ${err.message}`, cause: err });
  const code = err instanceof joseErrors.JOSEError ? err.code : 'malformed';
  return new OidcError(reason, { detail: `${code}: ${err instanceof Error ? err.message : String(err)}`, cause: err });
}

export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
