// Targets, access requests, approvals, grants and the review queue. Every state
// transition is one transaction guarded by the state it expects, so two approvers or a
// revoke racing an expiry cannot both win.
import { and, asc, desc, eq, gt, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { guarded } from './guard.js';
import * as schema from './schema.js';
import { accessApprovals, accessRequests, grants, reviewItems, targets } from './schema.js';

export type TargetRow = typeof targets.$inferSelect;
export type NewTargetRow = typeof targets.$inferInsert;
export type AccessRequestRow = typeof accessRequests.$inferSelect;
export type NewAccessRequestRow = typeof accessRequests.$inferInsert;
export type AccessApprovalRow = typeof accessApprovals.$inferSelect;
export type GrantRow = typeof grants.$inferSelect;
export type NewGrantRow = typeof grants.$inferInsert;
export type ReviewItemRow = typeof reviewItems.$inferSelect;
export type NewReviewItemRow = typeof reviewItems.$inferInsert;

export type DecideOutcome =
  | { kind: 'not-pending'; state: AccessRequestRow['state'] }
  | { kind: 'already-decided' }
  | { kind: 'recorded'; approvals: number }
  | { kind: 'approved'; approvals: number; grant: GrantRow }
  | { kind: 'denied' };

export interface DecideInput {
  requestId: string;
  approverId: string;
  decision: 'approve' | 'deny';
  comment: string | null;
  at: number;
  /** The grant to create when this approval completes the request. */
  grant: (approvals: number) => NewGrantRow;
}

export interface AccessRepo {
  /** Config targets replace the previous config set; admin targets are left alone. */
  syncConfigTargets(rows: NewTargetRow[], at: number): Promise<void>;
  /** Inserts an admin target; false when a live target has the name. */
  insertTarget(row: NewTargetRow): Promise<boolean>;
  getTarget(name: string): Promise<TargetRow | undefined>;
  listTargets(): Promise<TargetRow[]>;
  /** Marks an admin target removed; false when absent, removed or from config. */
  removeTarget(name: string, at: number): Promise<boolean>;

  /** Inserts unless the requester has a pending/approved request for the target whose window overlaps; false then. Atomic. */
  insertRequestUnlessOverlap(row: NewAccessRequestRow): Promise<boolean>;
  getRequest(id: string): Promise<AccessRequestRow | undefined>;
  listRequests(filter?: { state?: AccessRequestRow['state']; requesterId?: string; limit?: number }): Promise<AccessRequestRow[]>;
  approvalsFor(requestId: string): Promise<AccessApprovalRow[]>;
  /** Records one approver's decision; completes the request (and creates its grant) when enough approvals are in. */
  decide(input: DecideInput): Promise<DecideOutcome>;
  /** Pending requests whose expiry passed become expired; returns their ids. */
  expirePending(now: number, pendingTtlMs: number): Promise<string[]>;

  insertGrant(row: NewGrantRow): Promise<void>;
  getGrant(id: string): Promise<GrantRow | undefined>;
  listGrants(filter?: { userId?: string; state?: GrantRow['state']; target?: string; breakGlass?: boolean; limit?: number }): Promise<GrantRow[]>;
  /** The user's active grant for a target covering `now`, the one ending last. */
  activeGrantFor(userId: string, target: string, now: number): Promise<GrantRow | undefined>;
  /** active → revoked; false unless it was active. */
  revokeGrant(id: string, by: string, reason: string, at: number): Promise<boolean>;
  /** active grants whose end passed → ended; returns them. */
  endExpiredGrants(now: number): Promise<GrantRow[]>;
  /** Active grants ending after `now` (the scheduler's start-up load). */
  activeGrants(now: number): Promise<GrantRow[]>;

  insertGrantWithReview(grant: NewGrantRow, review: NewReviewItemRow): Promise<void>;
  listOpenReviews(kind: string): Promise<ReviewItemRow[]>;
  getReview(id: string): Promise<ReviewItemRow | undefined>;
  /** Records the review once (on the item and, for break-glass, the grant); false when already reviewed. */
  recordReview(id: string, by: string, note: string, at: number): Promise<boolean>;
}

export function accessRepo(db: BetterSQLite3Database<typeof schema>): AccessRepo {
  const guard = guarded('access store');
  const live = isNull(targets.removedAt);
  return {
    syncConfigTargets: (rows, at) =>
      guard('sync targets', () =>
        db.transaction((tx) => {
          const names = rows.map((r) => r.name);
          // Config targets no longer declared are removed; admin ones stay.
          const gone = tx.select({ name: targets.name }).from(targets).where(and(eq(targets.source, 'config'), live)).all().filter((r) => !names.includes(r.name));
          for (const g of gone) tx.update(targets).set({ removedAt: at, updatedAt: at }).where(eq(targets.name, g.name)).run();
          for (const r of rows) {
            tx.insert(targets)
              .values(r)
              .onConflictDoUpdate({
                target: targets.name,
                set: { kind: r.kind, address: r.address, labels: r.labels ?? '{}', maxDurationSeconds: r.maxDurationSeconds ?? null, recording: r.recording ?? false, source: 'config', updatedAt: at, removedAt: null },
              })
              .run();
          }
        }),
      ),
    insertTarget: (row) =>
      guard('insert target', () =>
        db.transaction((tx) => {
          const existing = tx.select().from(targets).where(eq(targets.name, row.name)).get();
          if (existing && existing.removedAt === null) return false;
          if (existing) tx.delete(targets).where(eq(targets.name, row.name)).run();
          tx.insert(targets).values(row).run();
          return true;
        }),
      ),
    getTarget: (name) => guard('get target', () => db.select().from(targets).where(and(eq(targets.name, name), live)).get()),
    listTargets: () => guard('list targets', () => db.select().from(targets).where(live).orderBy(asc(targets.name)).all()),
    removeTarget: (name, at) =>
      guard('remove target', () => {
        const r = db.update(targets).set({ removedAt: at, updatedAt: at }).where(and(eq(targets.name, name), eq(targets.source, 'admin'), live)).run();
        return r.changes === 1;
      }),

    insertRequestUnlessOverlap: (row) =>
      guard('insert request', () =>
        db.transaction((tx) => {
          // Windows [a,b) and [c,d) overlap when a < d and c < b.
          const clash = tx
            .select({ id: accessRequests.id })
            .from(accessRequests)
            .where(
              and(
                eq(accessRequests.requesterId, row.requesterId),
                eq(accessRequests.target, row.target),
                inArray(accessRequests.state, ['pending', 'approved']),
                gt(accessRequests.endAt, row.startAt),
                sql`${accessRequests.startAt} < ${row.endAt}`,
              ),
            )
            .get();
          if (clash) return false;
          tx.insert(accessRequests).values(row).run();
          return true;
        }),
      ),
    getRequest: (id) => guard('get request', () => db.select().from(accessRequests).where(eq(accessRequests.id, id)).get()),
    listRequests: (filter = {}) =>
      guard('list requests', () => {
        const conds = [];
        if (filter.state) conds.push(eq(accessRequests.state, filter.state));
        if (filter.requesterId) conds.push(eq(accessRequests.requesterId, filter.requesterId));
        const q = db.select().from(accessRequests);
        return (conds.length ? q.where(and(...conds)) : q).orderBy(desc(accessRequests.createdAt)).limit(filter.limit ?? 500).all();
      }),
    approvalsFor: (requestId) =>
      guard('list approvals', () => db.select().from(accessApprovals).where(eq(accessApprovals.requestId, requestId)).orderBy(asc(accessApprovals.createdAt)).all()),
    decide: (i) =>
      guard('decide', () =>
        db.transaction((tx): DecideOutcome => {
          const req = tx.select().from(accessRequests).where(eq(accessRequests.id, i.requestId)).get();
          if (!req || req.state !== 'pending') return { kind: 'not-pending', state: req?.state ?? 'cancelled' };
          const mine = tx
            .select({ n: sql<number>`count(*)` })
            .from(accessApprovals)
            .where(and(eq(accessApprovals.requestId, i.requestId), eq(accessApprovals.approverId, i.approverId)))
            .get();
          if ((mine?.n ?? 0) > 0) return { kind: 'already-decided' };
          tx.insert(accessApprovals).values({ requestId: i.requestId, approverId: i.approverId, decision: i.decision, comment: i.comment, createdAt: i.at }).run();
          if (i.decision === 'deny') {
            tx.update(accessRequests).set({ state: 'denied', decidedAt: i.at }).where(eq(accessRequests.id, i.requestId)).run();
            return { kind: 'denied' };
          }
          const count = tx
            .select({ n: sql<number>`count(*)` })
            .from(accessApprovals)
            .where(and(eq(accessApprovals.requestId, i.requestId), eq(accessApprovals.decision, 'approve')))
            .get();
          const approvals = count?.n ?? 0;
          if (approvals < req.approvalsNeeded) return { kind: 'recorded', approvals };
          const g = i.grant(approvals);
          tx.update(accessRequests).set({ state: 'approved', decidedAt: i.at }).where(eq(accessRequests.id, i.requestId)).run();
          tx.insert(grants).values(g).run();
          const grant = tx.select().from(grants).where(eq(grants.id, g.id)).get()!;
          return { kind: 'approved', approvals, grant };
        }),
      ),
    expirePending: (now, pendingTtlMs) =>
      guard('expire requests', () =>
        db.transaction((tx) => {
          const due = tx
            .select({ id: accessRequests.id })
            .from(accessRequests)
            .where(and(eq(accessRequests.state, 'pending'), or(lte(accessRequests.endAt, now), lte(accessRequests.createdAt, now - pendingTtlMs))))
            .all();
          for (const d of due) tx.update(accessRequests).set({ state: 'expired', decidedAt: now }).where(and(eq(accessRequests.id, d.id), eq(accessRequests.state, 'pending'))).run();
          return due.map((d) => d.id);
        }),
      ),

    insertGrant: (row) => guard('insert grant', () => void db.insert(grants).values(row).run()),
    getGrant: (id) => guard('get grant', () => db.select().from(grants).where(eq(grants.id, id)).get()),
    listGrants: (filter = {}) =>
      guard('list grants', () => {
        const conds = [];
        if (filter.userId) conds.push(eq(grants.userId, filter.userId));
        if (filter.state) conds.push(eq(grants.state, filter.state));
        if (filter.target) conds.push(eq(grants.target, filter.target));
        if (filter.breakGlass !== undefined) conds.push(eq(grants.breakGlass, filter.breakGlass));
        const q = db.select().from(grants);
        return (conds.length ? q.where(and(...conds)) : q).orderBy(desc(grants.createdAt)).limit(filter.limit ?? 500).all();
      }),
    activeGrantFor: (userId, target, now) =>
      guard('active grant', () =>
        db
          .select()
          .from(grants)
          .where(and(eq(grants.userId, userId), eq(grants.target, target), eq(grants.state, 'active'), lte(grants.startAt, now), gt(grants.endAt, now)))
          .orderBy(desc(grants.endAt))
          .get(),
      ),
    revokeGrant: (id, by, reason, at) =>
      guard('revoke grant', () => {
        const r = db.update(grants).set({ state: 'revoked', revokedAt: at, revokedBy: by, revokeReason: reason }).where(and(eq(grants.id, id), eq(grants.state, 'active'))).run();
        return r.changes === 1;
      }),
    endExpiredGrants: (now) =>
      guard('end grants', () =>
        db.transaction((tx) => {
          const due = tx.select().from(grants).where(and(eq(grants.state, 'active'), lte(grants.endAt, now))).all();
          for (const g of due) tx.update(grants).set({ state: 'ended' }).where(and(eq(grants.id, g.id), eq(grants.state, 'active'))).run();
          return due.map((g) => ({ ...g, state: 'ended' as const }));
        }),
      ),
    activeGrants: (now) => guard('active grants', () => db.select().from(grants).where(and(eq(grants.state, 'active'), gt(grants.endAt, now))).all()),

    insertGrantWithReview: (grant, review) =>
      guard('insert grant', () =>
        db.transaction((tx) => {
          tx.insert(grants).values(grant).run();
          tx.insert(reviewItems).values(review).run();
        }),
      ),
    listOpenReviews: (kind) =>
      guard('list reviews', () => db.select().from(reviewItems).where(and(eq(reviewItems.kind, kind), isNull(reviewItems.reviewedAt))).orderBy(asc(reviewItems.createdAt)).all()),
    getReview: (id) => guard('get review', () => db.select().from(reviewItems).where(eq(reviewItems.id, id)).get()),
    recordReview: (id, by, note, at) =>
      guard('record review', () =>
        db.transaction((tx) => {
          const item = tx.select().from(reviewItems).where(eq(reviewItems.id, id)).get();
          if (!item || item.reviewedAt !== null) return false;
          tx.update(reviewItems).set({ reviewedAt: at, reviewedBy: by, note }).where(eq(reviewItems.id, id)).run();
          if (item.kind === 'breakglass') tx.update(grants).set({ reviewedAt: at, reviewedBy: by, reviewNote: note }).where(eq(grants.id, item.subjectId)).run();
          return true;
        }),
      ),
  };
}
