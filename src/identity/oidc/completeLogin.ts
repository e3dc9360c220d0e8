// Finishes an authorization-code flow. The checks run in this order, each one refusing
// with a stable reason and an audit event, and none of them changes anything but the
// single-use transaction:
//   1 state present and bound to this browser   2 transaction taken (single use, ≤10 min)
//   3 code exchanged with PKCE, state and nonce  4 ID token signature, alg, iss, aud, time
//   5 userinfo when the mapping needs it         6 local user not disabled
//   7 user provisioned or updated by (issuer, sub), roles from roleMap   8 audited
import { randomBytes } from 'node:crypto';
import * as client from 'openid-client';
import type { OidcLoginResult } from '../types.js';
import { OidcError } from './OidcError.js';
import { classifyExchangeError } from './classifyExchangeError.js';
import { fetchProfileClaims } from './fetchProfileClaims.js';
import { hashHandle } from './hashHandle.js';
import { ANONYMOUS, auditFailure, userActor } from './identityAudit.js';
import { mapClaims } from './mapClaims.js';
import { decodeTransaction, OIDC_LOGIN_PURPOSE } from './oidcTransaction.js';
import { userFromRow } from '../sessions/index.js';
import { constantTimeEqual, verifyIdToken } from './verifyIdToken.js';
import type { OidcRpDeps } from './types.js';

/** Named opt-out of the browser binding check (STYLE 6); for callers that bind state otherwise. */
export const skipBrowserBinding: unique symbol = Symbol('skipBrowserBinding');

export interface CompleteLoginExpectations {
  /** The state this browser was given by beginLogin (from its cookie). */
  browserState: string | typeof skipBrowserBinding;
}

export async function completeLogin(
  deps: OidcRpDeps,
  callbackUrl: string | URL,
  expect: CompleteLoginExpectations,
): Promise<OidcLoginResult> {
  const now = (deps.now ?? Date.now)();
  const ctx: { actor: string; idp: string | null; issuer?: string; subject?: string } = { actor: ANONYMOUS, idp: null };
  try {
    const params = callbackParams(callbackUrl);
    const state = params.get('state');
    if (!state || state.length > 512) throw new OidcError('callback-invalid', { detail: 'the callback carries no state' });
    if (expect.browserState !== skipBrowserBinding && !constantTimeEqual(state, expect.browserState)) {
      throw new OidcError('state-mismatch', { detail: 'callback state differs from the state bound to this browser' });
    }

    const row = await deps.store.challenges.take(hashHandle(state), OIDC_LOGIN_PURPOSE, now);
    const tx = row ? decodeTransaction(row.payload) : undefined;
    if (!tx) throw new OidcError('state-invalid', { detail: row ? 'stored transaction is malformed' : 'no live transaction for this state' });
    ctx.idp = tx.idp;
    const idp = deps.clients.get(tx.idp);
    const config = await idp.configuration();

    // openid-client derives redirect_uri from this URL: use ours, never the request's host.
    const currentUrl = new URL(deps.redirectUri);
    currentUrl.search = params.toString();
    let tokens: Awaited<ReturnType<typeof client.authorizationCodeGrant>>;
    try {
      tokens = await client.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: tx.codeVerifier,
        expectedState: state,
        expectedNonce: tx.nonce,
        idTokenExpected: true,
      });
    } catch (err) {
      throw classifyExchangeError(err);
    }
    if (!tokens.id_token) throw new OidcError('id-token-invalid', { detail: 'token response has no id_token' });

    const claims = await verifyIdToken(tokens.id_token, await idp.keys(), {
      issuer: config.serverMetadata().issuer,
      audience: idp.config.clientId,
      algorithms: idp.config.algorithms,
      nonce: tx.nonce,
      now,
    });
    ctx.issuer = claims.iss;
    ctx.subject = claims.sub;
    const profileClaims = await fetchProfileClaims(config, idp.config, tokens.access_token, claims);
    const profile = mapClaims(idp.config, profileClaims);

    // A disabled user stays disabled and unchanged, whatever the IdP says.
    const existing = await deps.store.users.getBySubject(claims.iss, claims.sub);
    if (existing?.disabled) {
      ctx.actor = userActor(existing.id);
      throw new OidcError('user-disabled', { detail: 'the local user is disabled' });
    }
    const stored = await deps.store.users.upsertFromIdp({
      id: `usr_${randomBytes(16).toString('base64url')}`,
      issuer: claims.iss,
      subject: claims.sub,
      kind: profile.kind,
      organization: profile.organization,
      department: profile.department,
      displayName: profile.displayName,
      email: profile.email,
      roles: JSON.stringify(profile.roles),
      createdAt: now,
      updatedAt: now,
    });
    ctx.actor = userActor(stored.id);
    // Disabled between the read and the upsert: upsertFromIdp never touches `disabled`.
    if (stored.disabled) throw new OidcError('user-disabled', { detail: 'the local user is disabled' });

    const user = userFromRow(stored);
    const amr = [...new Set([...stringArray(claims.amr), 'oidc'])];
    const result: OidcLoginResult = {
      idp: tx.idp,
      user,
      amr,
      sid: typeof claims.sid === 'string' && claims.sid.length > 0 ? claims.sid : null,
      authTime: typeof claims.auth_time === 'number' ? claims.auth_time * 1000 : now,
      returnTo: tx.returnTo,
      agentRequest: tx.agentRequest,
    };
    await deps.audit.append({
      type: 'identity.login',
      actor: ctx.actor,
      outcome: 'success',
      detail: {
        idp: tx.idp,
        issuer: claims.iss,
        subject: claims.sub,
        created: existing === undefined,
        kind: user.kind,
        roles: user.roles,
        groups: profile.groups,
        amr,
        agent: tx.agentRequest !== null,
      },
    });
    return result;
  } catch (err) {
    throw await auditFailure(deps.audit, 'identity.login', err, ctx);
  }
}

function callbackParams(callbackUrl: string | URL): URLSearchParams {
  try {
    return new URL(callbackUrl, 'https://callback.invalid').searchParams;
  } catch {
    throw new OidcError('callback-invalid', { detail: 'the callback URL does not parse' });
  }
}

function stringArray(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string' && x.length <= 64).slice(0, 10) : [];
}
