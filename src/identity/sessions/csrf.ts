// CSRF defence for cookie-authenticated state changes: the request's Origin (or, when a
// browser omits it, its Referer) must be ours AND it must carry the session's
// synchronizer token. Both checks always run; the token comparison is constant-time.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { SessionInfo } from '../types.js';
import type { SessionFailureReason } from './SessionError.js';

const LABEL = 'radgate/csrf/v1:';

/** The synchronizer token for a session: HMAC-SHA256 under its csrfSecret, base64url. */
export function csrfToken(session: Pick<SessionInfo, 'id' | 'csrfSecret'>): string {
  return createHmac('sha256', session.csrfSecret).update(LABEL + session.id).digest('base64url');
}

export interface VerifyCsrfInput {
  session: Pick<SessionInfo, 'id' | 'csrfSecret'>;
  /** From `X-CSRF-Token` or the `_csrf` form field; undefined when absent. */
  token: string | undefined;
  /** The `Origin` header, if any. */
  origin: string | undefined;
  /** The `Referer` header, used only when Origin is absent. */
  referer?: string | undefined;
  /** Exact origins (scheme://host[:port]) this broker is served from. */
  expectedOrigins: readonly string[];
}

export type CsrfVerdict = { ok: true } | { ok: false; reason: SessionFailureReason };

export function verifyCsrf(input: VerifyCsrfInput): CsrfVerdict {
  const origin = requestOrigin(input.origin, input.referer);
  if (origin === undefined) return { ok: false, reason: 'csrf-origin-missing' };
  if (!input.expectedOrigins.includes(origin)) return { ok: false, reason: 'csrf-origin-mismatch' };
  if (input.token === undefined || input.token === '') return { ok: false, reason: 'csrf-token-missing' };
  if (!constantTimeEqual(input.token, csrfToken(input.session))) return { ok: false, reason: 'csrf-token-mismatch' };
  return { ok: true };
}

/** RFC 6454 origin of the request: Origin, else the origin of Referer. `null` counts as foreign. */
function requestOrigin(origin: string | undefined, referer: string | undefined): string | undefined {
  if (origin !== undefined && origin !== '') return origin;
  if (referer === undefined || referer === '') return undefined;
  try {
    return new URL(referer).origin;
  } catch {
    return 'null';
  }
}

/** Constant-time for equal lengths; a length difference is not secret (tokens have a fixed length). */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}
