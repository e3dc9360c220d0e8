// POST /agent/token and its two outcomes: a session (RFC 6749 5.1 shape plus radgate's
// fields) or an OAuth error code the caller acts on.
import { AgentError } from './AgentError.js';
import { describeFailure, httpsRequest, oauthError } from './httpsRequest.js';
import type { AgentSession } from './sessionFile.js';

export type TokenResult = { ok: true; session: AgentSession } | { ok: false; error: string; description: string };

export async function requestToken(server: URL, ca: string, params: Record<string, string>): Promise<TokenResult> {
  const res = await httpsRequest({ url: new URL('/agent/token', server), method: 'POST', ca, json: params });
  if (res.status === 200) return { ok: true, session: toSession(server, res.body) };
  const err = oauthError(res.body);
  if (res.status === 400 && err) return { ok: false, ...err };
  throw new AgentError('server-error', `the broker refused the token request (${describeFailure(res)})`);
}

function toSession(server: URL, body: unknown): AgentSession {
  const b = (body ?? {}) as Record<string, unknown>;
  const u = (b.user ?? {}) as Record<string, unknown>;
  const expiresAt = typeof b.expires_at === 'string' ? Date.parse(b.expires_at) : typeof b.expires_at === 'number' ? b.expires_at : NaN;
  if (
    typeof b.session_token !== 'string' ||
    b.session_token.length === 0 ||
    typeof b.token_type !== 'string' ||
    b.token_type.toLowerCase() !== 'bearer' ||
    typeof b.session_id !== 'string' ||
    !Number.isFinite(expiresAt) ||
    typeof u.id !== 'string' ||
    typeof u.kind !== 'string' ||
    !(u.displayName === null || u.displayName === undefined || typeof u.displayName === 'string')
  ) {
    throw new AgentError('protocol', 'the broker answered the token request with an unexpected body');
  }
  return {
    server: server.origin,
    token: b.session_token,
    sessionId: b.session_id,
    expiresAt: new Date(expiresAt).toISOString(),
    user: { id: u.id, displayName: typeof u.displayName === 'string' ? u.displayName : null, kind: u.kind },
  };
}
