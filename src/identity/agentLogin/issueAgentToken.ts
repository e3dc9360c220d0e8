// POST /agent/token, one pipeline: read the grant, redeem it (loopback code + PKCE, or a
// device code), mint the agent session under the approving browser session, answer in
// RFC 6749 5.1 shape. Protocol errors are OAuthErrors (400 JSON); broker faults propagate.
import { isRadgateError } from '../../errors/index.js';
import { appendAudit } from './appendAudit.js';
import { exchangeLoopbackCode } from './exchangeLoopbackCode.js';
import { OAuthError } from './OAuthError.js';
import { pollDeviceCode } from './pollDeviceCode.js';
import type { AgentLoginDeps, AgentTokenResponse } from './types.js';

export const DEVICE_CODE_GRANT = 'urn:ietf:params:oauth:grant-type:device_code';

/** The request parameters, from JSON or a form; anything but a single string is refused. */
export type TokenRequestParams = Record<string, unknown>;

export async function issueAgentToken(deps: AgentLoginDeps, params: TokenRequestParams): Promise<AgentTokenResponse> {
  const grantType = param(params, 'grant_type');
  let redeemed: { userId: string; parentSessionId: string };
  let grant: 'authorization_code' | 'device_code';
  if (grantType === 'authorization_code') {
    grant = 'authorization_code';
    redeemed = await exchangeLoopbackCode(deps, {
      code: required(params, 'code'),
      codeVerifier: required(params, 'code_verifier'),
      redirectUri: required(params, 'redirect_uri'),
    });
  } else if (grantType === DEVICE_CODE_GRANT) {
    grant = 'device_code';
    const r = await pollDeviceCode(deps, required(params, 'device_code'));
    switch (r.status) {
      case 'pending':
        throw new OAuthError('authorization_pending', 'the user has not approved this sign-in yet');
      case 'slow_down':
        throw new OAuthError('slow_down', `polling too fast; wait ${r.interval} seconds between requests`);
      case 'denied':
        throw new OAuthError('access_denied', 'the user denied this sign-in');
      case 'expired':
        throw new OAuthError('expired_token', 'the device code expired; start the sign-in again');
      case 'invalid':
        throw new OAuthError('invalid_grant', 'the device code is invalid or already used');
      case 'approved':
        redeemed = { userId: r.userId, parentSessionId: r.parentSessionId };
        break;
    }
  } else {
    throw new OAuthError('unsupported_grant_type', 'grant_type must be authorization_code or urn:ietf:params:oauth:grant-type:device_code');
  }
  return mint(deps, grant, redeemed);
}

async function mint(deps: AgentLoginDeps, grant: string, redeemed: { userId: string; parentSessionId: string }): Promise<AgentTokenResponse> {
  if (!deps.mintAgentSession) throw new Error('issueAgentToken needs mintAgentSession');
  let session;
  try {
    session = await deps.mintAgentSession(redeemed);
  } catch (err) {
    // The browser session ended or the user was disabled since the approval.
    if (isRadgateError(err) && err.expose) {
      await appendAudit(deps, 'identity.agent.token', redeemed.userId, 'failure', { grant, error: 'invalid_grant', reason: err.code, parentSessionId: redeemed.parentSessionId });
      throw new OAuthError('invalid_grant', 'the sign-in that approved this request is no longer valid');
    }
    throw err;
  }
  await appendAudit(deps, 'identity.agent.token', redeemed.userId, 'success', { grant, sessionId: session.sessionId, parentSessionId: redeemed.parentSessionId });
  const now = deps.clock().getTime();
  return {
    session_token: session.token,
    token_type: 'Bearer',
    expires_at: new Date(session.expiresAt).toISOString(),
    expires_in: Math.max(0, Math.floor((session.expiresAt - now) / 1000)),
    user: { id: session.user.id, displayName: session.user.displayName, kind: session.user.kind },
    session_id: session.sessionId,
  };
}

/** RFC 6749 3.2: parameters must not repeat; a missing one reads as ''. */
function param(params: TokenRequestParams, name: string): string {
  const v = params[name];
  if (v === undefined) return '';
  if (typeof v !== 'string') throw new OAuthError('invalid_request', `${name} must be a single string`);
  return v;
}

function required(params: TokenRequestParams, name: string): string {
  const v = param(params, name);
  if (v === '') throw new OAuthError('invalid_request', `${name} is required`);
  return v;
}
