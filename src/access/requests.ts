// Just-in-time access requests: who may ask for what is policy (`access.request`); the
// window is bounded by the role/target maximum; overlapping duplicates are refused.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseDurationSeconds } from '../config/index.js';
import { authContext, authFacts } from '../identity/index.js';
import type { AccessRequestRow, AccessApprovalRow } from '../store/index.js';
import { AccessError } from './AccessError.js';
import type { AccessDeps, Caller } from './accessDeps.js';
import { approvalsNeeded, effectiveRequestState, maxDurationFor, requestExpiresAt, targetEntity } from './accessRules.js';
import { audited, userActor } from './audited.js';
import { assertKeyVerified, isApprover } from './callerChecks.js';
import { formatIssue } from './targets.js';

/** Clock skew tolerated on a requested start ("now" from a laptop a little behind). */
const START_SKEW_MS = 60_000;

const bodySchema = z
  .object({
    target: z.string().min(1).max(64),
    /** "2h", "90m" or seconds. */
    duration: z.union([z.string().max(16), z.number()]).optional(),
    reason: z.string().trim().min(3, { error: 'say why (at least 3 characters)' }).max(500),
    ticket: z.string().regex(/^[A-Za-z0-9._#-]{1,64}$/, { error: 'expected a ticket id like ABC-123' }).optional(),
    /** ISO 8601; default now. */
    start: z.iso.datetime({ offset: true, error: 'expected an ISO 8601 date-time' }).optional(),
  })
  .strict();

export interface RequestView {
  id: string;
  requesterId: string;
  requesterOrg: string;
  target: string;
  reason: string;
  ticket: string | null;
  startAt: string;
  endAt: string;
  state: AccessRequestRow['state'];
  approvalsNeeded: number;
  approvals: { approverId: string; decision: string; comment: string | null; at: string }[];
  createdAt: string;
  expiresAt: string;
}

export function requestView(r: AccessRequestRow, approvals: AccessApprovalRow[], now: number, pendingTtl: number): RequestView {
  return {
    id: r.id,
    requesterId: r.requesterId,
    requesterOrg: r.requesterOrg,
    target: r.target,
    reason: r.reason,
    ticket: r.ticket,
    startAt: new Date(r.startAt).toISOString(),
    endAt: new Date(r.endAt).toISOString(),
    state: effectiveRequestState(r, now, pendingTtl),
    approvalsNeeded: r.approvalsNeeded,
    approvals: approvals.map((a) => ({ approverId: a.approverId, decision: a.decision, comment: a.comment, at: new Date(a.createdAt).toISOString() })),
    createdAt: new Date(r.createdAt).toISOString(),
    expiresAt: new Date(requestExpiresAt(r, pendingTtl)).toISOString(),
  };
}

export async function createRequest(deps: AccessDeps, c: Caller, body: unknown): Promise<RequestView> {
  const actor = userActor(c.user.id);
  const b = body as { target?: unknown } | null;
  const detail = { target: typeof b?.target === 'string' ? b.target.slice(0, 64) : null };
  return audited(deps.audit, { type: 'access.request', actor, detail }, async () => {
    assertKeyVerified(c);
    const parsed = bodySchema.safeParse(body);
    if (!parsed.success) throw new AccessError('request-malformed', { detail: formatIssue(parsed.error) });
    const p = parsed.data;
    const now = deps.clock();
    const target = await deps.store.access.getTarget(p.target);
    if (!target) throw new AccessError('target-not-found');
    const seconds = p.duration === undefined ? deps.access.defaultDuration : parseDurationSeconds(p.duration);
    if (seconds === undefined || !(seconds >= 60)) throw new AccessError('request-malformed', { detail: 'duration: expected at least 1m, like "2h" or "90m"' });
    const max = maxDurationFor(c.user, target, deps.access);
    if (seconds > max) throw new AccessError('duration-over-maximum', { message: `the requested duration (${seconds} s) is longer than the ${max} s allowed for this target and role` });
    const startAt = p.start === undefined ? now : Date.parse(p.start);
    if (startAt < now - START_SKEW_MS) throw new AccessError('start-in-past');
    if (startAt > now + deps.access.maxStartAhead * 1000) throw new AccessError('start-too-far');
    const decision = deps.policy.authorize(c.principal, 'access.request', targetEntity(target), { auth: authContext(authFacts(c.session, now)) });
    if (decision.decision !== 'allow') throw new AccessError('policy-denied', { message: `denied by policy (${decision.reasons.join(', ')})`, policyReasons: decision.reasons });
    await decision.durable;
    const row: AccessRequestRow = {
      id: `req_${randomBytes(9).toString('base64url')}`,
      requesterId: c.user.id,
      requesterOrg: c.user.organization ?? '',
      target: target.name,
      reason: p.reason,
      ticket: p.ticket ?? null,
      startAt,
      endAt: startAt + Math.floor(seconds) * 1000,
      state: 'pending',
      approvalsNeeded: approvalsNeeded(target, deps.access),
      createdAt: now,
      decidedAt: null,
    };
    if (!(await deps.store.access.insertRequestUnlessOverlap(row))) throw new AccessError('duplicate-request');
    await deps.audit.append({
      type: 'access.request',
      actor,
      outcome: 'success',
      detail: { requestId: row.id, target: row.target, startAt: row.startAt, endAt: row.endAt, ticket: row.ticket, approvalsNeeded: row.approvalsNeeded },
    });
    void deps.notifier.send({
      type: 'access.requested',
      requestId: row.id,
      requester: c.user.id,
      requesterOrg: row.requesterOrg,
      target: row.target,
      reason: row.reason,
      ticket: row.ticket,
      startAt: new Date(row.startAt).toISOString(),
      endAt: new Date(row.endAt).toISOString(),
      approvalsNeeded: row.approvalsNeeded,
      url: `${deps.publicUrl}/access/approvals/${row.id}`,
    });
    return requestView(row, [], now, deps.access.pendingTtl);
  });
}

/** Approvers see every request (default: pending); everybody else sees their own. */
export async function listRequests(deps: AccessDeps, c: Caller, q: { state?: string | undefined; mine?: boolean }): Promise<RequestView[]> {
  assertKeyVerified(c);
  const states = ['pending', 'approved', 'denied', 'expired', 'cancelled'] as const;
  const state = q.state === undefined || q.state === 'all' ? undefined : states.find((s) => s === q.state);
  if (q.state !== undefined && q.state !== 'all' && state === undefined) throw new AccessError('request-malformed', { detail: 'state: expected pending, approved, denied, expired, cancelled or all' });
  const everyone = isApprover(c) && q.mine !== true;
  const rows = await deps.store.access.listRequests({ ...(everyone ? {} : { requesterId: c.user.id }), ...(state && state !== 'expired' ? { state } : {}) });
  const now = deps.clock();
  const views = await Promise.all(rows.map(async (r) => requestView(r, await deps.store.access.approvalsFor(r.id), now, deps.access.pendingTtl)));
  // "pending" means still decidable; a stored pending row past its expiry reads as expired.
  return state ? views.filter((v) => v.state === state) : views;
}

export async function getRequest(deps: AccessDeps, c: Caller, id: string): Promise<RequestView> {
  assertKeyVerified(c);
  const r = await deps.store.access.getRequest(id);
  if (!r || (r.requesterId !== c.user.id && !isApprover(c))) throw new AccessError('request-not-found');
  return requestView(r, await deps.store.access.approvalsFor(r.id), deps.clock(), deps.access.pendingTtl);
}
