// Policy set versions: proposed, active (exactly one), superseded, rejected; their
// approvals, and the atomic state changes of the two-person and emergency paths.
import { and, asc, desc, eq, ne } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { RadgateError, wrapError } from '../errors/index.js';
import * as schema from './schema.js';
import { policyApprovals, policyVersions, reviewItems } from './schema.js';

export type PolicyVersionRow = typeof policyVersions.$inferSelect;
export type NewPolicyVersionRow = typeof policyVersions.$inferInsert;

export interface PolicyVersionsRepo {
  /** Inserts a version; an identical existing version (same id) is returned instead. */
  insert(row: NewPolicyVersionRow): Promise<PolicyVersionRow>;
  get(id: string): Promise<PolicyVersionRow | undefined>;
  getActive(): Promise<PolicyVersionRow | undefined>;
  /** Atomically makes `id` the only active version. */
  activate(id: string, approvedBy: string | null, at: number): Promise<void>;
  list(limit?: number): Promise<PolicyVersionRow[]>;
  /** A superseded or rejected version proposed again (rollback, re-proposal): new author and message. */
  reopen(id: string, author: string, message: string, at: number): Promise<TransitionResult>;
  /**
   * Two-person activation in one transaction: `id` must still be proposed; records the
   * approval (once per approver), supersedes the active version and every other proposal
   * (their diffs and impact were computed against a set that is no longer active).
   */
  approveAndActivate(id: string, approverId: string, at: number): Promise<TransitionResult>;
  /** Emergency rollback: a superseded version becomes active at once, with a review item, in one transaction. */
  emergencyActivate(id: string, by: string, at: number, review: { id: string; kind: string; summary: string }): Promise<TransitionResult>;
  /** A proposal withdrawn or refused: proposed -> rejected. */
  reject(id: string, at: number): Promise<TransitionResult>;
  approvals(id: string): Promise<PolicyApprovalRow[]>;
}

export type PolicyApprovalRow = typeof policyApprovals.$inferSelect;

/** The outcome of a state change: the row after it, or why it could not happen. */
export type TransitionResult =
  | { ok: true; row: PolicyVersionRow; previousActive: PolicyVersionRow | undefined }
  | { ok: false; reason: 'not-found' | 'wrong-state' | 'already-approved'; row?: PolicyVersionRow };

export function policyVersionsRepo(db: BetterSQLite3Database<typeof schema>, sqlite: Database.Database): PolicyVersionsRepo {
  const guard = <T>(what: string, fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(wrapError('store-unavailable', `policy store: ${what} failed`, err));
    }
  };
  const activateTx = sqlite.transaction((id: string, approvedBy: string | null, at: number) => {
    const row = db.select().from(policyVersions).where(eq(policyVersions.id, id)).get();
    if (!row) throw new RadgateError('not-found', `policy version ${id} not found`);
    db.update(policyVersions).set({ state: 'superseded' }).where(eq(policyVersions.state, 'active')).run();
    db.update(policyVersions).set({ state: 'active', approvedBy, activatedAt: at }).where(eq(policyVersions.id, id)).run();
  });
  const get = (id: string) => db.select().from(policyVersions).where(eq(policyVersions.id, id)).get();
  const getActive = () => db.select().from(policyVersions).where(eq(policyVersions.state, 'active')).get();
  /** Makes `id` the only active version and supersedes every open proposal. */
  const swap = (id: string, approvedBy: string, at: number) => {
    db.update(policyVersions).set({ state: 'superseded' }).where(eq(policyVersions.state, 'active')).run();
    db.update(policyVersions).set({ state: 'superseded' }).where(and(eq(policyVersions.state, 'proposed'), ne(policyVersions.id, id))).run();
    db.update(policyVersions).set({ state: 'active', approvedBy, activatedAt: at }).where(eq(policyVersions.id, id)).run();
  };
  const approveTx = sqlite.transaction((id: string, approverId: string, at: number): TransitionResult => {
    const row = get(id);
    if (!row) return { ok: false, reason: 'not-found' };
    if (row.state !== 'proposed') return { ok: false, reason: 'wrong-state', row };
    const dup = db.select().from(policyApprovals).where(and(eq(policyApprovals.versionId, id), eq(policyApprovals.approverId, approverId))).get();
    if (dup) return { ok: false, reason: 'already-approved', row };
    const previousActive = getActive();
    db.insert(policyApprovals).values({ versionId: id, approverId, createdAt: at }).run();
    swap(id, approverId, at);
    return { ok: true, row: get(id)!, previousActive };
  });
  const emergencyTx = sqlite.transaction((id: string, by: string, at: number, review: { id: string; kind: string; summary: string }): TransitionResult => {
    const row = get(id);
    if (!row) return { ok: false, reason: 'not-found' };
    if (row.state !== 'superseded') return { ok: false, reason: 'wrong-state', row };
    const previousActive = getActive();
    swap(id, by, at);
    db.insert(reviewItems).values({ id: review.id, kind: review.kind, subjectId: id, summary: review.summary, createdAt: at }).run();
    return { ok: true, row: get(id)!, previousActive };
  });
  const reopenTx = sqlite.transaction((id: string, author: string, message: string, at: number): TransitionResult => {
    const row = get(id);
    if (!row) return { ok: false, reason: 'not-found' };
    if (row.state !== 'superseded' && row.state !== 'rejected') return { ok: false, reason: 'wrong-state', row };
    db.delete(policyApprovals).where(eq(policyApprovals.versionId, id)).run();
    db.update(policyVersions).set({ state: 'proposed', author, message, createdAt: at, approvedBy: null }).where(eq(policyVersions.id, id)).run();
    return { ok: true, row: get(id)!, previousActive: getActive() };
  });
  const rejectTx = sqlite.transaction((id: string): TransitionResult => {
    const row = get(id);
    if (!row) return { ok: false, reason: 'not-found' };
    if (row.state !== 'proposed') return { ok: false, reason: 'wrong-state', row };
    db.update(policyVersions).set({ state: 'rejected' }).where(eq(policyVersions.id, id)).run();
    return { ok: true, row: get(id)!, previousActive: getActive() };
  });
  return {
    reopen: (id, author, message, at) => guard('reopen', () => reopenTx.immediate(id, author, message, at)),
    approveAndActivate: (id, approverId, at) => guard('approve', () => approveTx.immediate(id, approverId, at)),
    emergencyActivate: (id, by, at, review) => guard('emergency activation', () => emergencyTx.immediate(id, by, at, review)),
    reject: (id, _at) => guard('reject', () => rejectTx.immediate(id)),
    approvals: (id) => guard('approvals', () => db.select().from(policyApprovals).where(eq(policyApprovals.versionId, id)).orderBy(asc(policyApprovals.createdAt)).all()),
    insert: (row) =>
      guard('insert', () => {
        db.insert(policyVersions).values(row).onConflictDoNothing().run();
        return db.select().from(policyVersions).where(eq(policyVersions.id, row.id)).get()!;
      }),
    get: (id) => guard('get', () => db.select().from(policyVersions).where(eq(policyVersions.id, id)).get()),
    getActive: () => guard('get active', () => db.select().from(policyVersions).where(eq(policyVersions.state, 'active')).get()),
    activate: (id, approvedBy, at) => guard('activate', () => activateTx(id, approvedBy, at)),
    list: (limit = 50) => guard('list', () => db.select().from(policyVersions).orderBy(desc(policyVersions.createdAt)).limit(limit).all()),
  };
}
