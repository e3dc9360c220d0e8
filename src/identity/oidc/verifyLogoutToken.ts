// Verifies a back-channel logout token from one configured IdP: signature with the IdP's
// keys and alg allow-list, issuer, audience, freshness, the 2.6 claim rules, and that its
// jti has not been seen before (single use for the token's lifetime).
import { decodeProtectedHeader, jwtVerify, type JWTPayload } from 'jose';
import { OidcError } from './OidcError.js';
import { checkLogoutTokenClaims } from './checkLogoutTokenClaims.js';
import { hashHandle } from './hashHandle.js';
import { joseFailure, keysOrUnavailable } from './verifyIdToken.js';
import type { LogoutTokenClaims, OidcRpDeps } from './types.js';

export const LOGOUT_JTI_PURPOSE = 'oidc.logout-jti';
/** Logout tokens older than this (by iat) are refused even without exp. */
const MAX_TOKEN_AGE_SECONDS = 300;
const CLOCK_TOLERANCE_SECONDS = 30;
const ASYMMETRIC = /^(RS|PS|ES)(256|384|512)$|^EdDSA$|^Ed25519$/;

export async function verifyLogoutToken(
  deps: Pick<OidcRpDeps, 'clients' | 'store' | 'now'>,
  idpName: string,
  token: string,
): Promise<LogoutTokenClaims> {
  const idp = deps.clients.get(idpName);
  const now = (deps.now ?? Date.now)();
  if (typeof token !== 'string' || token.length === 0 || token.length > 16_384) {
    throw new OidcError('logout-token-invalid', { detail: 'logout_token is missing or too large' });
  }
  const config = await idp.configuration();
  const keys = await idp.keys();
  let payload: JWTPayload;
  let typ: string | undefined;
  try {
    typ = decodeProtectedHeader(token).typ;
    ({ payload } = await jwtVerify(token, keysOrUnavailable(keys), {
      issuer: config.serverMetadata().issuer,
      audience: idp.config.clientId,
      algorithms: idp.config.algorithms.filter((a) => ASYMMETRIC.test(a)),
      currentDate: new Date(now),
      clockTolerance: CLOCK_TOLERANCE_SECONDS,
      maxTokenAge: MAX_TOKEN_AGE_SECONDS,
      requiredClaims: ['iss', 'aud', 'iat', 'jti'],
    }));
  } catch (err) {
    throw joseFailure('logout-token-invalid', err);
  }
  const problems = checkLogoutTokenClaims({ typ }, payload);
  if (problems.length > 0) throw new OidcError('logout-token-invalid', { detail: problems.join(', ') });

  const iss = payload.iss!;
  const jti = payload.jti!;
  await consumeJti(deps.store, iss, jti, now, payload);
  return {
    iss,
    sub: typeof payload.sub === 'string' ? payload.sub : null,
    sid: typeof payload.sid === 'string' ? payload.sid : null,
    jti,
  };
}

/** Records the jti until the token could no longer verify; a second sighting is a replay. */
async function consumeJti(store: OidcRpDeps['store'], iss: string, jti: string, now: number, payload: JWTPayload): Promise<void> {
  const idHash = hashHandle(`${iss}\u0000${jti}`);
  if (await store.challenges.peek(idHash, LOGOUT_JTI_PURPOSE, now)) {
    throw new OidcError('logout-token-replayed', { detail: 'this logout token jti was already used' });
  }
  const byIat = ((payload.iat ?? 0) + MAX_TOKEN_AGE_SECONDS + CLOCK_TOLERANCE_SECONDS) * 1000;
  const byExp = typeof payload.exp === 'number' ? (payload.exp + CLOCK_TOLERANCE_SECONDS) * 1000 : 0;
  const row = { idHash, purpose: LOGOUT_JTI_PURPOSE, sessionId: null, userId: null, payload: '{}', createdAt: now, expiresAt: Math.max(byIat, byExp, now + 1000) };
  try {
    await store.challenges.put(row);
  } catch (err) {
    // Lost a race with the same token: the primary key says it was seen.
    if (await store.challenges.peek(idHash, LOGOUT_JTI_PURPOSE, now)) {
      throw new OidcError('logout-token-replayed', { detail: 'this logout token jti was already used' });
    }
    // An expired, not yet purged row for the same jti: drop it and record this sighting.
    await store.challenges.take(idHash, LOGOUT_JTI_PURPOSE, now);
    await store.challenges.put(row).catch(() => Promise.reject(err));
  }
}
