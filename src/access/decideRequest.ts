// Approving or denying a request. The pipeline, in order: a key-verified session, a
// fresh step-up, the request exists and is still decidable, this approver has not
// decided yet, policy (`access.approve`: separation of duties is a Cedar forbid), then
// one transaction records the decision and, with enough distinct approvals, the grant.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { authContext, authFacts } from '../identity/index.js';
import { AccessError } from './AccessError.js';
import type { AccessDeps, Caller } from './accessDeps.js';
import { effectiveRequestState, requestEntity } from './accessRules.js';
import { audited, userActor } from './audited.js';
import { assertFreshStepUp, assertKeyVerified } from './callerChecks.js';
import { grantView, type GrantView } from './grants.js';
import { requestView, type RequestView } from './requests.js';
import { formatIssue } from './targets.js';

const bodySchema = z.object({ comment: z.string().max(500).optional() }).strict();

export interface DecideResult {
  request: RequestView;
  /** Set when this approval completed the request. */
  grant?: GrantView;
}

export async function decideRequest(deps: AccessDeps, c: Caller, requestId: string, decision: 'approve' | 'deny', body: unknown): Promise<DecideResult> {
  const actor = userActor(c.user.id);
  const type = decision === 'approve' ? 'access.approve' : 'access.deny';
  return audited(deps.audit, { type, actor, detail: { requestId: requestId.slice(0, 64) } }, async () => {
    assertKeyVerified(c);
    const now = deps.clock();
    assertFreshStepUp(c, deps.stepUpMaxAgeSeconds, now);
    const parsed = bodySchema.safeParse(body ?? {});
    if (!parsed.success) throw new AccessError('request-malformed', { detail: formatIssue(parsed.error) });
    const req = await deps.store.access.getRequest(requestId);
    if (!req) throw new AccessError('request-not-found');
    const state = effectiveRequestState(req, now, deps.access.pendingTtl);
    if (state === 'expired') throw new AccessError('request-expired');
    if (state !== 'pending') throw new AccessError('request-not-pending');
    const before = await deps.store.access.approvalsFor(req.id);
    if (before.some((a) => a.approverId === c.user.id)) throw new AccessError('already-decided');
    // The requester's kind decides whether the same-organisation rule applies (vendors).
    const requester = await deps.users.getUser(req.requesterId);
    const verdict = deps.policy.authorize(c.principal, 'access.approve', requestEntity(req, requester?.kind ?? 'unknown'), { auth: authContext(authFacts(c.session, now)) });
    if (verdict.decision !== 'allow') throw new AccessError('policy-denied', { message: `denied by policy (${verdict.reasons.join(', ')})`, policyReasons: verdict.reasons });
    await verdict.durable;
    const grantId = `grt_${randomBytes(9).toString('base64url')}`;
    const outcome = await deps.store.access.decide({
      requestId: req.id,
      approverId: c.user.id,
      decision,
      comment: parsed.data.comment ?? null,
      at: now,
      // A late approval does not stretch the window: the grant ends when the request said.
      grant: () => ({ id: grantId, requestId: req.id, userId: req.requesterId, target: req.target, startAt: Math.max(req.startAt, now), endAt: req.endAt, state: 'active', breakGlass: false, reason: req.reason, createdAt: now }),
    });
    if (outcome.kind === 'already-decided') throw new AccessError('already-decided');
    if (outcome.kind === 'not-pending') throw new AccessError('request-not-pending');
    const fresh = (await deps.store.access.getRequest(req.id))!;
    const view = requestView(fresh, await deps.store.access.approvalsFor(req.id), now, deps.access.pendingTtl);
    const approvals = outcome.kind === 'recorded' || outcome.kind === 'approved' ? outcome.approvals : 0;
    await deps.audit.append({ type, actor, outcome: 'success', detail: { requestId: req.id, target: req.target, requester: req.requesterId, approvals, approvalsNeeded: req.approvalsNeeded, state: fresh.state } });
    void deps.notifier.send({ type: decision === 'approve' ? 'access.approved' : 'access.denied', requestId: req.id, approver: c.user.id, target: req.target, requester: req.requesterId, approvals, approvalsNeeded: req.approvalsNeeded, state: fresh.state });
    if (outcome.kind !== 'approved') return { request: view };
    const g = outcome.grant;
    deps.onGrantChange?.(g.id);
    await deps.audit.append({ type: 'grant.create', actor, outcome: 'success', detail: { grantId: g.id, requestId: req.id, user: g.userId, target: g.target, startAt: g.startAt, endAt: g.endAt, approvers: [...before.map((a) => a.approverId), c.user.id] } });
    void deps.notifier.send({ type: 'grant.created', grantId: g.id, requestId: req.id, user: g.userId, target: g.target, startAt: new Date(g.startAt).toISOString(), endAt: new Date(g.endAt).toISOString(), breakGlass: false });
    return { request: view, grant: grantView(g, now) };
  });
}
