// The pure decision whether a stored session may still be used at `now`.
import type { SessionInfo, User } from '../types.js';
import type { SessionFailureReason } from './SessionError.js';

export interface SessionTimeouts {
  /** Seconds without a request after which the session ends. */
  idleSeconds: number;
}

/** Null when usable; otherwise the reason it is not. Order: the most final reason first. */
export function sessionRejection(
  session: SessionInfo,
  user: User,
  now: number,
  timeouts: SessionTimeouts,
  expectKind?: SessionInfo['kind'],
): SessionFailureReason | null {
  if (session.state === 'ended') return 'session-ended';
  if (user.disabled) return 'user-disabled';
  if (expectKind !== undefined && session.kind !== expectKind) return 'session-kind-mismatch';
  if (now >= session.expiresAt) return 'absolute-timeout';
  if (now - session.lastSeenAt > timeouts.idleSeconds * 1000) return 'idle-timeout';
  return null;
}
