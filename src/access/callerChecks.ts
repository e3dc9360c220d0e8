// The caller checks domain functions start with: a key-verified session, the admin
// role, and a fresh step-up for sensitive changes.
import { isAuthFresh } from '../identity/index.js';
import { AccessError } from './AccessError.js';
import { ADMIN_ROLE, APPROVER_ROLES, type Caller } from './accessDeps.js';

export function assertKeyVerified(c: Caller): void {
  if (c.session.state !== 'active' || !c.session.amr.includes('webauthn') || c.session.verifiedAt === null) throw new AccessError('webauthn-required');
}

export function assertAdmin(c: Caller): void {
  assertKeyVerified(c);
  if (!c.user.roles.includes(ADMIN_ROLE)) throw new AccessError('admin-required');
}

/** Step-up: the session's last security-key verification is at most maxAge old. */
export function assertFreshStepUp(c: Caller, maxAgeSeconds: number, now: number): void {
  if (!isAuthFresh(c.session, maxAgeSeconds, now)) throw new AccessError('step-up-required');
}

export const isApprover = (c: Caller): boolean => c.user.roles.some((r) => (APPROVER_ROLES as readonly string[]).includes(r));
