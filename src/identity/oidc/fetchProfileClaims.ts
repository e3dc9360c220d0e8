// Completes the ID token's claims from the userinfo endpoint when the mapping needs
// claims the ID token does not carry (many IdPs put only `sub` in the ID token).
import * as client from 'openid-client';
import { OidcError } from './OidcError.js';
import { clip } from './identityAudit.js';
import { mappedClaimNames } from './mapClaims.js';
import type { IdTokenClaims } from './verifyIdToken.js';
import type { IdpConfig } from './types.js';

/** Claims only the ID token may assert; userinfo never overrides them. */
const ID_TOKEN_ONLY = new Set(['iss', 'sub', 'aud', 'exp', 'iat', 'nbf', 'nonce', 'azp', 'auth_time', 'amr', 'acr', 'sid', 'at_hash', 'c_hash', 'jti']);

export async function fetchProfileClaims(
  config: client.Configuration,
  idp: IdpConfig,
  accessToken: string | undefined,
  idToken: IdTokenClaims,
): Promise<Record<string, unknown>> {
  const missing = mappedClaimNames(idp).some((name) => !(name in idToken));
  if (!missing || !accessToken || !config.serverMetadata().userinfo_endpoint) return { ...idToken };
  let info: Record<string, unknown>;
  try {
    // openid-client checks that userinfo's `sub` equals the ID token's (OIDC Core 5.3.2).
    info = await client.fetchUserInfo(config, accessToken, idToken.sub);
  } catch (err) {
    throw new OidcError('userinfo-invalid', { detail: clip(err instanceof Error ? err.message : String(err)), cause: err });
  }
  const merged: Record<string, unknown> = { ...idToken };
  for (const [k, v] of Object.entries(info)) if (!ID_TOKEN_ONLY.has(k) && !(k in idToken)) merged[k] = v;
  return merged;
}
