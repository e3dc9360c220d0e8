// Policy set versions: proposed, active (exactly one), superseded, rejected.
import { desc, eq } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { RadgateError, wrapError } from '../errors/index.js';
import * as schema from './schema.js';
import { policyVersions } from './schema.js';

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
}

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
  return {
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
