// Grants: time-boxed permission for one user on one target. Ending one (revocation, target
// removal) emits `grant.ended`, which cuts every live tunnel using it, and revokes the
// certificates issued for it; expiry is the scheduler's job (grantScheduler.ts).
import type { GrantLookup } from '../devices/index.js';
import type { GrantRow } from '../store/index.js';
import { AccessError } from './AccessError.js';
import type { AccessDeps, Caller } from './accessDeps.js';
import { grantIsLive } from './accessRules.js';
import { audited, userActor } from './audited.js';
import { assertFreshStepUp, assertKeyVerified, isApprover } from './callerChecks.js';

export interface GrantView {
  id: string;
  requestId: string | null;
  userId: string;
  target: string;
  startAt: string;
  endAt: string;
  state: GrantRow['state'];
  /** state active and inside its window now. */
  live: boolean;
  breakGlass: boolean;
  reason: string | null;
  revokedAt: string | null;
  revokedBy: string | null;
  revokeReason: string | null;
  reviewedAt: string | null;
}

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export function grantView(g: GrantRow, now: number): GrantView {
  return {
    id: g.id,
    requestId: g.requestId,
    userId: g.userId,
    target: g.target,
    startAt: iso(g.startAt)!,
    endAt: iso(g.endAt)!,
    state: g.state,
    live: grantIsLive(g, now),
    breakGlass: g.breakGlass,
    reason: g.reason,
    revokedAt: iso(g.revokedAt),
    revokedBy: g.revokedBy,
    revokeReason: g.revokeReason,
    reviewedAt: iso(g.reviewedAt),
  };
}

/**
 * Ends an active grant (revoked state), tells the live-session registry and the
 * scheduler, and revokes its certificates. False when it was not active.
 */
export async function endGrant(deps: AccessDeps, grantId: string, by: string, reason: string, now: number): Promise<boolean> {
  if (!(await deps.store.access.revokeGrant(grantId, by, reason, now))) return false;
  deps.bus.emit({ type: 'grant.ended', grantId, reason: 'revoked' });
  deps.onGrantChange?.(grantId);
  const serials = await deps.ca.revokeWhere({ grantId }, 'privilegeWithdrawn', userActor(by));
  await deps.audit.append({ type: 'grant.revoke', actor: userActor(by), outcome: 'success', detail: { grantId, reason, serials } });
  void deps.notifier.send({ type: 'grant.revoked', grantId, reason, by, url: `${deps.publicUrl}/access/approvals` });
  return true;
}

export async function listGrants(deps: AccessDeps, c: Caller, q: { all?: boolean; state?: string | undefined; target?: string | undefined }): Promise<GrantView[]> {
  assertKeyVerified(c);
  const state = q.state === undefined ? undefined : q.state;
  if (state !== undefined && state !== 'active' && state !== 'revoked' && state !== 'ended') throw new AccessError('request-malformed', { detail: 'state: expected active, revoked or ended' });
  const everyone = q.all === true && isApprover(c);
  if (q.all === true && !everyone) throw new AccessError('not-permitted');
  const rows = await deps.store.access.listGrants({ ...(everyone ? {} : { userId: c.user.id }), ...(state ? { state } : {}), ...(q.target ? { target: q.target } : {}) });
  const now = deps.clock();
  return rows.map((g) => grantView(g, now));
}

/** Revocation by an approver or admin (fresh step-up), or by the holder (ending their own access early). */
export async function revokeGrant(deps: AccessDeps, c: Caller, grantId: string, reason: unknown): Promise<GrantView> {
  const actor = userActor(c.user.id);
  return audited(deps.audit, { type: 'grant.revoke', actor, detail: { grantId: grantId.slice(0, 64) } }, async () => {
    assertKeyVerified(c);
    const now = deps.clock();
    const g = await deps.store.access.getGrant(grantId);
    if (!g) throw new AccessError('grant-not-found');
    const own = g.userId === c.user.id;
    if (!own) {
      if (!isApprover(c)) throw new AccessError('not-permitted');
      assertFreshStepUp(c, deps.stepUpMaxAgeSeconds, now);
    }
    if (reason !== undefined && (typeof reason !== 'string' || reason.length > 500)) throw new AccessError('request-malformed', { detail: 'reason: at most 500 characters' });
    if (g.state !== 'active') throw new AccessError('grant-not-active');
    if (!(await endGrant(deps, grantId, c.user.id, typeof reason === 'string' && reason ? reason : own ? 'ended-by-holder' : 'revoked', now))) throw new AccessError('grant-not-active');
    return grantView((await deps.store.access.getGrant(grantId))!, now);
  });
}

/** The devices module's hook: a certificate for a grant lives no longer than the grant. */
export function grantLookup(deps: Pick<AccessDeps, 'store'>): GrantLookup {
  return {
    async activeGrant(grantId, userId, now) {
      const g = await deps.store.access.getGrant(grantId);
      if (!g || g.userId !== userId || !grantIsLive(g, now)) return undefined;
      return { id: g.id, endsAt: g.endAt };
    },
  };
}
