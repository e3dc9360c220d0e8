// The one error login sessions, CSRF checks and step-up throw: a RadgateError plus a
// stable reason code that audit events, tests and clients name.
import { RadgateError, type RadgateErrorCode } from '../../errors/index.js';

export type SessionFailureReason =
  /** No session cookie or bearer token came with the request. */
  | 'session-missing'
  /** The token is not 43 base64url characters: never looked up. */
  | 'token-malformed'
  /** No session has this token (forged, from another deployment, or purged). */
  | 'session-unknown'
  | 'session-ended'
  | 'idle-timeout'
  | 'absolute-timeout'
  | 'user-disabled'
  | 'user-unknown'
  /** A browser session presented as a bearer token, or an agent session as a cookie. */
  | 'session-kind-mismatch'
  /** The session passed OIDC but no security-key assertion yet. */
  | 'security-key-required'
  /** The last security-key verification is older than the action allows. */
  | 'step-up-required'
  | 'csrf-origin-missing'
  | 'csrf-origin-mismatch'
  | 'csrf-token-missing'
  | 'csrf-token-mismatch'
  /** A user tried to see or end a session that is not theirs (reported as not found). */
  | 'session-not-found';

const CODES: Record<SessionFailureReason, RadgateErrorCode> = {
  'session-missing': 'unauthenticated',
  'token-malformed': 'unauthenticated',
  'session-unknown': 'unauthenticated',
  'session-ended': 'unauthenticated',
  'idle-timeout': 'unauthenticated',
  'absolute-timeout': 'unauthenticated',
  'user-disabled': 'unauthenticated',
  'user-unknown': 'unauthenticated',
  'session-kind-mismatch': 'unauthenticated',
  'security-key-required': 'unauthenticated',
  'step-up-required': 'unauthenticated',
  'csrf-origin-missing': 'forbidden',
  'csrf-origin-mismatch': 'forbidden',
  'csrf-token-missing': 'forbidden',
  'csrf-token-mismatch': 'forbidden',
  'session-not-found': 'not-found',
};

/** Public messages, stable per reason. Session failures share one message: no oracle. */
const MESSAGES: Record<SessionFailureReason, string> = {
  'session-missing': 'sign-in required',
  'token-malformed': 'sign-in required',
  'session-unknown': 'sign-in required',
  'session-ended': 'sign-in required',
  'idle-timeout': 'sign-in required',
  'absolute-timeout': 'sign-in required',
  'user-disabled': 'sign-in required',
  'user-unknown': 'sign-in required',
  'session-kind-mismatch': 'sign-in required',
  'security-key-required': 'security key required',
  'step-up-required': 'step-up required',
  'csrf-origin-missing': 'cross-site request refused',
  'csrf-origin-mismatch': 'cross-site request refused',
  'csrf-token-missing': 'cross-site request refused',
  'csrf-token-mismatch': 'cross-site request refused',
  'session-not-found': 'no such session',
};

export class SessionError extends RadgateError {
  readonly reason: SessionFailureReason;

  constructor(reason: SessionFailureReason, options: { detail?: string; cause?: unknown } = {}) {
    super(CODES[reason], MESSAGES[reason], { detail: options.detail ?? reason, cause: options.cause });
    this.name = 'SessionError';
    this.reason = reason;
  }
}

export function isSessionError(err: unknown): err is SessionError {
  return err instanceof SessionError;
}
