// Every ceremony starts here: the session is live and belongs to this (enabled) user.
import type { SessionInfo, User } from '../types.js';
import { WebauthnError } from './WebauthnError.js';

export function assertSessionUser(session: SessionInfo, user: User): void {
  if (session.userId !== user.id) throw new WebauthnError('session-user-mismatch');
  if (session.state === 'ended') throw new WebauthnError('session-ended');
  if (user.disabled) throw new WebauthnError('user-disabled');
}
