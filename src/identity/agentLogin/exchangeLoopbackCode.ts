// RFC 6749 4.1.3 + RFC 7636 4.6: a loopback code is taken (deleted) before anything is
// checked, so a wrong verifier or redirect URI burns it: one attempt per code.
import { appendAudit } from './appendAudit.js';
import { HANDLE_PATTERN, hashHandle } from './handles.js';
import { OAuthError } from './OAuthError.js';
import { isLoopbackCodePayload, parsePayload, type LoopbackCodePayload } from './payloads.js';
import { isCodeVerifier, verifyPkceS256 } from './verifyPkceS256.js';
import { PURPOSE, type AgentLoginDeps } from './types.js';

export interface LoopbackExchange {
  code: string;
  codeVerifier: string;
  redirectUri: string;
}

export async function exchangeLoopbackCode(deps: AgentLoginDeps, req: LoopbackExchange): Promise<{ userId: string; parentSessionId: string }> {
  const fail = async (error: OAuthError, userId: string | null, reason: string): Promise<never> => {
    await appendAudit(deps, 'identity.agent.token', userId, 'failure', { grant: 'authorization_code', error: error.error, reason });
    throw error;
  };
  if (typeof req.code !== 'string' || !HANDLE_PATTERN.test(req.code)) {
    return fail(new OAuthError('invalid_grant', 'the authorization code is invalid, expired or already used'), null, 'malformed-code');
  }
  const row = await deps.challenges.take(hashHandle(req.code), PURPOSE.loopbackCode, deps.clock().getTime());
  const payload = row && parsePayload<LoopbackCodePayload>(row.payload, isLoopbackCodePayload);
  if (!row || !payload || !row.userId || !row.sessionId) {
    return fail(new OAuthError('invalid_grant', 'the authorization code is invalid, expired or already used'), null, 'unknown-code');
  }
  // RFC 6749 4.1.3: the redirect_uri must be identical to the one authorized.
  if (typeof req.redirectUri !== 'string' || req.redirectUri !== payload.redirectUri) {
    return fail(new OAuthError('invalid_grant', 'redirect_uri does not match the authorization request'), row.userId, 'redirect-uri-mismatch');
  }
  if (!isCodeVerifier(req.codeVerifier)) {
    return fail(new OAuthError('invalid_grant', 'code_verifier is malformed'), row.userId, 'malformed-verifier');
  }
  if (!verifyPkceS256(req.codeVerifier, payload.codeChallenge)) {
    return fail(new OAuthError('invalid_grant', 'code_verifier does not match the code challenge'), row.userId, 'pkce-mismatch');
  }
  return { userId: row.userId, parentSessionId: row.sessionId };
}
