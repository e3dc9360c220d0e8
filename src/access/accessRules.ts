// Pure rules of the access domain: a user's longest grant, the approvals a target needs,
// when a pending request expires, and the Cedar entities and context for targets,
// requests and grants.
import type { CedarValue } from '../policy/index.js';
import type { Config } from '../config/index.js';
import type { User } from '../identity/index.js';
import type { DecisionContext, EntityDescription, EntityRef } from '../policy/index.js';
import type { AccessRequestRow, GrantRow, TargetRow } from '../store/index.js';

export interface TargetLabels {
  site?: string;
  department?: string;
  owner?: string;
  risk?: 'low' | 'medium' | 'high';
}

export function targetLabels(row: Pick<TargetRow, 'labels'>): TargetLabels {
  try {
    const v = JSON.parse(row.labels) as unknown;
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as TargetLabels) : {};
  } catch {
    return {};
  }
}

export const targetUid = (name: string): EntityRef => ({ type: 'Radgate::Target', id: name });

export function targetEntity(row: Pick<TargetRow, 'name' | 'kind' | 'labels'>): EntityDescription {
  const l = targetLabels(row);
  const attrs: Record<string, string> = { kind: row.kind };
  if (l.site) attrs.site = l.site;
  if (l.department) attrs.department = l.department;
  if (l.risk) attrs.risk = l.risk;
  return { uid: targetUid(row.name), attrs };
}

export function requestEntity(row: Pick<AccessRequestRow, 'id' | 'requesterId' | 'requesterOrg' | 'target'>, requesterKind?: string): EntityDescription {
  const attrs: Record<string, CedarValue> = { requester: { type: 'Radgate::User', id: row.requesterId }, requesterOrg: row.requesterOrg, target: { ...targetUid(row.target) } };
  if (requesterKind) attrs.requesterKind = requesterKind;
  return { uid: { type: 'Radgate::AccessRequest', id: row.id }, attrs };
}

/** Distinct approvals a request for this target needs. */
export function approvalsNeeded(row: Pick<TargetRow, 'labels'>, cfg: Pick<Config['access'], 'highRiskApprovals'>): number {
  return targetLabels(row).risk === 'high' ? cfg.highRiskApprovals : 1;
}

/**
 * Longest grant in seconds: a vendor is bounded by the `vendor` entry whatever other
 * roles say; others by the smallest maximum among their listed roles; then the target's
 * own maximum, if lower.
 */
export function maxDurationFor(user: Pick<User, 'kind' | 'roles'>, target: Pick<TargetRow, 'maxDurationSeconds'>, cfg: Pick<Config['access'], 'roleMaxDuration' | 'defaultMaxDuration'>): number {
  const own = (k: string) => (Object.hasOwn(cfg.roleMaxDuration, k) ? cfg.roleMaxDuration[k] : undefined);
  let role: number | undefined;
  if (user.kind === 'vendor') role = own('vendor');
  else
    for (const r of user.roles) {
      const v = own(r);
      if (v !== undefined && (role === undefined || v < role)) role = v;
    }
  const bound = role ?? cfg.defaultMaxDuration;
  return target.maxDurationSeconds != null ? Math.min(bound, target.maxDurationSeconds) : bound;
}

/** A pending request expires when its window ends or `pendingTtl` after it was made. */
export function requestExpiresAt(row: Pick<AccessRequestRow, 'createdAt' | 'endAt'>, pendingTtlSeconds: number): number {
  return Math.min(row.endAt, row.createdAt + pendingTtlSeconds * 1000);
}

/** The state a reader should see: a pending request past its expiry is expired. */
export function effectiveRequestState(row: Pick<AccessRequestRow, 'state' | 'createdAt' | 'endAt'>, now: number, pendingTtlSeconds: number): AccessRequestRow['state'] {
  return row.state === 'pending' && now >= requestExpiresAt(row, pendingTtlSeconds) ? 'expired' : row.state;
}

/** Whether a grant opens its target at `now`. */
export function grantIsLive(g: Pick<GrantRow, 'state' | 'startAt' | 'endAt'>, now: number): boolean {
  return g.state === 'active' && g.startAt <= now && now < g.endAt;
}

/** `context.grant` for policy: active, id, target, whole seconds left. */
export function grantContext(g: Pick<GrantRow, 'id' | 'target' | 'state' | 'startAt' | 'endAt'>, now: number): NonNullable<DecisionContext['grant']> {
  const live = grantIsLive(g, now);
  return { active: live, id: g.id, target: targetUid(g.target), secondsLeft: live ? Math.max(0, Math.floor((g.endAt - now) / 1000)) : 0 };
}
