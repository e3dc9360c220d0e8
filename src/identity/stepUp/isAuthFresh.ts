// The pure step-up rule: the session's last security-key verification is at most
// `maxAgeSeconds` old.
import type { SessionInfo } from '../types.js';

export function isAuthFresh(session: Pick<SessionInfo, 'state' | 'verifiedAt'>, maxAgeSeconds: number, now: number): boolean {
  if (session.state !== 'active' || session.verifiedAt === null) return false;
  const age = now - session.verifiedAt;
  return age >= 0 && age <= maxAgeSeconds * 1000;
}
