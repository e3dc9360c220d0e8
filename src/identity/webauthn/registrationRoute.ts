// The pure bootstrap rule for registering a key: which path a registration takes, or why
// it is refused. A first key needs a fresh OIDC session (or an admin's one-time code);
// another key needs a session verified with an existing key, recently.
import type { SessionInfo } from '../types.js';
import type { RelyingParty } from './relyingParty.js';

export type RegistrationRoute =
  | { route: 'additional-key' }
  | { route: 'first-key-window' }
  | { route: 'enrolment-code'; because: 'admin-code' | 'window-closed' | 'previous-keys' }
  | { route: 'refused'; reason: 'security-key-required' | 'step-up-required' };

export function registrationRoute(args: {
  session: SessionInfo;
  /** Keys the user has that are not locked. */
  activeKeys: number;
  /** All keys the user has, locked ones included. */
  anyKeys: number;
  rp: Pick<RelyingParty, 'enrolment' | 'enrolmentWindowSeconds' | 'stepUpMaxAgeSeconds'>;
  now: number;
}): RegistrationRoute {
  const { session, rp, now } = args;
  if (args.activeKeys > 0) {
    if (session.state !== 'active') return { route: 'refused', reason: 'security-key-required' };
    if (session.verifiedAt === null || now - session.verifiedAt > rp.stepUpMaxAgeSeconds * 1000) return { route: 'refused', reason: 'step-up-required' };
    return { route: 'additional-key' };
  }
  // No usable key: a user whose keys were locked or removed needs an administrator.
  if (args.anyKeys > 0) return { route: 'enrolment-code', because: 'previous-keys' };
  if (rp.enrolment === 'admin-code') return { route: 'enrolment-code', because: 'admin-code' };
  if (now - session.oidcAt > rp.enrolmentWindowSeconds * 1000 || now < session.oidcAt) return { route: 'enrolment-code', because: 'window-closed' };
  return { route: 'first-key-window' };
}
