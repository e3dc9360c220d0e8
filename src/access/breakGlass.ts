// Break-glass: a short grant without approval for those policy allows `breakglass.invoke`,
// after a fresh security-key step-up. It is loud: the webhook fires at once and the grant
// waits in the review queue until an administrator (not the invoker) records a review.
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { parseDurationSeconds } from '../config/index.js';
import { authContext, authFacts } from '../identity/index.js';
import type { ReviewItemRow } from '../store/index.js';
import { AccessError } from './AccessError.js';
import type { AccessDeps, Caller } from './accessDeps.js';
import { targetEntity } from './accessRules.js';
import { audited, userActor } from './audited.js';
import { assertAdmin, assertFreshStepUp, assertKeyVerified } from './callerChecks.js';
import { grantView, type GrantView } from './grants.js';
import { formatIssue } from './targets.js';

export const BREAKGLASS_REVIEW_KIND = 'breakglass';

const bodySchema = z
  .object({
    target: z.string().min(1).max(64),
    reason: z.string().trim().min(10, { error: 'say what the emergency is (at least 10 characters)' }).max(500),
    duration: z.union([z.string().max(16), z.number()]).optional(),
  })
  .strict();

export async function invokeBreakGlass(deps: AccessDeps, c: Caller, body: unknown): Promise<{ grant: GrantView; reviewId: string }> {
  const actor = userActor(c.user.id);
  const b = body as { target?: unknown } | null;
  return audited(deps.audit, { type: 'breakglass.invoke', actor, detail: { target: typeof b?.target === 'string' ? b.target.slice(0, 64) : null } }, async () => {
    assertKeyVerified(c);
    const now = deps.clock();
    assertFreshStepUp(c, deps.stepUpMaxAgeSeconds, now);
    const parsed = bodySchema.safeParse(body);
    if (!parsed.success) throw new AccessError('request-malformed', { detail: formatIssue(parsed.error) });
    const p = parsed.data;
    const max = deps.access.breakGlassMaxDuration;
    const seconds = p.duration === undefined ? max : parseDurationSeconds(p.duration);
    if (seconds === undefined || !(seconds >= 60)) throw new AccessError('request-malformed', { detail: 'duration: expected at least 1m' });
    if (seconds > max) throw new AccessError('duration-over-maximum', { message: `break-glass lasts at most ${max} s` });
    const target = await deps.store.access.getTarget(p.target);
    if (!target) throw new AccessError('target-not-found');
    const verdict = deps.policy.authorize(c.principal, 'breakglass.invoke', targetEntity(target), { auth: authContext(authFacts(c.session, now)) });
    if (verdict.decision !== 'allow') throw new AccessError('policy-denied', { message: `denied by policy (${verdict.reasons.join(', ')})`, policyReasons: verdict.reasons });
    await verdict.durable;
    const grantId = `grt_${randomBytes(9).toString('base64url')}`;
    const reviewId = `rev_${randomBytes(9).toString('base64url')}`;
    const grant = { id: grantId, requestId: null, userId: c.user.id, target: target.name, startAt: now, endAt: now + Math.floor(seconds) * 1000, state: 'active' as const, breakGlass: true, reason: p.reason, createdAt: now };
    await deps.store.access.insertGrantWithReview(grant, { id: reviewId, kind: BREAKGLASS_REVIEW_KIND, subjectId: grantId, summary: `break-glass by ${c.user.displayName ?? c.user.id} on ${target.name}: ${p.reason}`.slice(0, 600), createdAt: now });
    deps.onGrantChange?.(grantId);
    // Loud at once: the notification goes out before the caller sees the answer.
    void deps.notifier.send({ type: 'breakglass.invoked', grantId, reviewId, user: c.user.id, userName: c.user.displayName, target: target.name, reason: p.reason, startAt: new Date(now).toISOString(), endAt: new Date(grant.endAt).toISOString(), url: `${deps.publicUrl}/access/reviews` });
    await deps.audit.append({ type: 'breakglass.invoke', actor, outcome: 'success', detail: { grantId, reviewId, target: target.name, endAt: grant.endAt, reason: p.reason } });
    return { grant: grantView({ ...grant, revokedAt: null, revokedBy: null, revokeReason: null, reviewedAt: null, reviewedBy: null, reviewNote: null }, now), reviewId };
  });
}

export interface ReviewView {
  id: string;
  kind: string;
  subjectId: string;
  summary: string;
  createdAt: string;
  reviewedAt: string | null;
  reviewedBy: string | null;
  note: string | null;
  grant?: GrantView;
}

async function reviewView(deps: AccessDeps, r: ReviewItemRow, now: number): Promise<ReviewView> {
  const g = r.kind === BREAKGLASS_REVIEW_KIND ? await deps.store.access.getGrant(r.subjectId) : undefined;
  return {
    id: r.id,
    kind: r.kind,
    subjectId: r.subjectId,
    summary: r.summary,
    createdAt: new Date(r.createdAt).toISOString(),
    reviewedAt: r.reviewedAt === null ? null : new Date(r.reviewedAt).toISOString(),
    reviewedBy: r.reviewedBy,
    note: r.note,
    ...(g ? { grant: grantView(g, now) } : {}),
  };
}

/** Unreviewed break-glass grants, oldest first (administrators). */
export async function listOpenBreakGlassReviews(deps: AccessDeps, c: Caller): Promise<ReviewView[]> {
  assertAdmin(c);
  const now = deps.clock();
  return Promise.all((await deps.store.access.listOpenReviews(BREAKGLASS_REVIEW_KIND)).map((r) => reviewView(deps, r, now)));
}

const reviewBody = z.object({ note: z.string().trim().min(3, { error: 'write what was checked (at least 3 characters)' }).max(2000) }).strict();

export async function recordBreakGlassReview(deps: AccessDeps, c: Caller, reviewId: string, body: unknown): Promise<ReviewView> {
  const actor = userActor(c.user.id);
  return audited(deps.audit, { type: 'breakglass.review', actor, detail: { reviewId: reviewId.slice(0, 64) } }, async () => {
    assertAdmin(c);
    const now = deps.clock();
    assertFreshStepUp(c, deps.stepUpMaxAgeSeconds, now);
    const parsed = reviewBody.safeParse(body);
    if (!parsed.success) throw new AccessError('request-malformed', { detail: formatIssue(parsed.error) });
    const item = await deps.store.access.getReview(reviewId);
    if (!item || item.kind !== BREAKGLASS_REVIEW_KIND) throw new AccessError('review-not-found');
    if (item.reviewedAt !== null) throw new AccessError('already-reviewed');
    const g = await deps.store.access.getGrant(item.subjectId);
    if (g && g.userId === c.user.id) throw new AccessError('self-review');
    if (!(await deps.store.access.recordReview(reviewId, c.user.id, parsed.data.note, now))) throw new AccessError('already-reviewed');
    await deps.audit.append({ type: 'breakglass.review', actor, outcome: 'success', detail: { reviewId, grantId: item.subjectId, note: parsed.data.note } });
    return reviewView(deps, (await deps.store.access.getReview(reviewId))!, now);
  });
}
