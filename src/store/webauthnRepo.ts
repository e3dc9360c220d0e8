// Security-key credentials.
import { and, asc, eq, isNull } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { guarded } from './guard.js';
import * as schema from './schema.js';
import { webauthnCredentials } from './schema.js';

export type CredentialRow = typeof webauthnCredentials.$inferSelect;
export type NewCredentialRow = typeof webauthnCredentials.$inferInsert;

export interface WebauthnRepo {
  insert(row: NewCredentialRow): Promise<void>;
  get(id: string): Promise<CredentialRow | undefined>;
  listForUser(userId: string): Promise<CredentialRow[]>;
  /** Counter and last use after a verified assertion; only while unlocked and counter unchanged. */
  recordUse(id: string, expectedCounter: number, newCounter: number, at: number): Promise<boolean>;
  lock(id: string, reason: string, at: number): Promise<boolean>;
  rename(id: string, userId: string, name: string): Promise<boolean>;
  remove(id: string, userId: string): Promise<boolean>;
  /** Deletes the key unless it is the user's last unlocked one (one statement, no race). */
  removeUnlessLast(id: string, userId: string): Promise<boolean>;
  countActive(userId: string): Promise<number>;
}

export function webauthnRepo(db: BetterSQLite3Database<typeof schema>, sqlite: Database.Database): WebauthnRepo {
  const guard = guarded('credential store');
  const removeUnlessLastStmt = sqlite.prepare(
    `DELETE FROM webauthn_credentials WHERE id = ? AND user_id = ?
       AND (locked_at IS NOT NULL OR (SELECT count(*) FROM webauthn_credentials WHERE user_id = ? AND locked_at IS NULL) > 1)`,
  );
  const c = webauthnCredentials;
  return {
    insert: (row) => guard('insert', () => void db.insert(c).values(row).run()),
    get: (id) => guard('get', () => db.select().from(c).where(eq(c.id, id)).get()),
    listForUser: (userId) => guard('list', () => db.select().from(c).where(eq(c.userId, userId)).orderBy(asc(c.createdAt)).all()),
    recordUse: (id, expected, next, at) =>
      guard('update', () =>
        db.update(c).set({ counter: next, lastUsedAt: at }).where(and(eq(c.id, id), eq(c.counter, expected), isNull(c.lockedAt))).run().changes > 0,
      ),
    lock: (id, reason, at) => guard('lock', () => db.update(c).set({ lockedAt: at, lockReason: reason }).where(and(eq(c.id, id), isNull(c.lockedAt))).run().changes > 0),
    rename: (id, userId, name) => guard('rename', () => db.update(c).set({ name }).where(and(eq(c.id, id), eq(c.userId, userId))).run().changes > 0),
    remove: (id, userId) => guard('remove', () => db.delete(c).where(and(eq(c.id, id), eq(c.userId, userId))).run().changes > 0),
    removeUnlessLast: (id, userId) => guard('remove', () => removeUnlessLastStmt.run(id, userId, userId).changes > 0),
    countActive: (userId) =>
      guard('count', () => db.select({ id: c.id }).from(c).where(and(eq(c.userId, userId), isNull(c.lockedAt))).all().length),
  };
}
