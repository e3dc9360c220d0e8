// RFC 8252 authorization response: after the signed-in user approves, mint a one-minute,
// single-use code bound to the redirect URI and the PKCE challenge, and send the browser
// back to the agent's loopback listener. The route has already checked that the browser
// session is active (OIDC + security key) and that the approval carried a valid CSRF token.
import { RadgateError } from '../../errors/index.js';
import { appendAudit } from './appendAudit.js';
import { hashHandle, randomHandle } from './handles.js';
import type { LoopbackCodePayload } from './payloads.js';
import { validateLoopbackRedirectUri } from './validateLoopbackRedirectUri.js';
import { isS256Challenge } from './verifyPkceS256.js';
import { LOOPBACK_CODE_TTL_MS, PURPOSE, type AgentLoginDeps } from './types.js';

export interface LoopbackCodeRequest {
  parentSessionId: string;
  userId: string;
  redirectUri: string;
  codeChallenge: string;
  /** Only S256 is accepted; omitted means S256. */
  codeChallengeMethod?: string;
  state: string;
}

/** The agent's state is opaque, but bounded and printable. */
const STATE = /^[\x21-\x7e]{1,512}$/;

export type LoopbackRequestProblem = 'redirect-uri' | 'code-challenge-method' | 'code-challenge' | 'state';

/**
 * Checks the query of GET /agent/authorize before the confirmation page is shown.
 * RFC 6749 4.1.2.1: with a bad redirect_uri the route must show an error, never redirect.
 */
export function checkLoopbackRequest(req: Omit<LoopbackCodeRequest, 'parentSessionId' | 'userId'>): { ok: true } | { ok: false; reason: LoopbackRequestProblem; message: string } {
  const redirect = validateLoopbackRedirectUri(req.redirectUri);
  if (!redirect.ok) return { ok: false, reason: 'redirect-uri', message: redirect.message };
  if ((req.codeChallengeMethod ?? 'S256') !== 'S256') return { ok: false, reason: 'code-challenge-method', message: 'code_challenge_method must be S256' };
  if (!isS256Challenge(req.codeChallenge)) return { ok: false, reason: 'code-challenge', message: 'code_challenge must be a base64url SHA-256 (43 characters)' };
  if (typeof req.state !== 'string' || !STATE.test(req.state)) return { ok: false, reason: 'state', message: 'state must be 1-512 printable characters' };
  return { ok: true };
}

export async function createLoopbackCode(deps: AgentLoginDeps, req: LoopbackCodeRequest): Promise<{ redirectTo: string }> {
  const check = checkLoopbackRequest(req);
  if (!check.ok) {
    await appendAudit(deps, 'identity.agent.authorize', req.userId, 'failure', { flow: 'loopback', sessionId: req.parentSessionId, reason: check.reason });
    throw new RadgateError('bad-request', check.message, { detail: `agent authorize refused: ${check.reason}` });
  }
  const now = deps.clock().getTime();
  const code = randomHandle();
  const payload: LoopbackCodePayload = { redirectUri: req.redirectUri, codeChallenge: req.codeChallenge };
  await deps.challenges.put({
    idHash: hashHandle(code),
    purpose: PURPOSE.loopbackCode,
    sessionId: req.parentSessionId,
    userId: req.userId,
    payload: JSON.stringify(payload),
    createdAt: now,
    expiresAt: now + LOOPBACK_CODE_TTL_MS,
  });
  await appendAudit(deps, 'identity.agent.authorize', req.userId, 'success', {
    flow: 'loopback',
    sessionId: req.parentSessionId,
    redirectPort: new URL(req.redirectUri).port,
  });
  const to = new URL(req.redirectUri);
  to.searchParams.set('code', code);
  to.searchParams.set('state', req.state);
  return { redirectTo: to.href };
}
