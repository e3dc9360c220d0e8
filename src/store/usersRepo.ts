// Local users keyed by (issuer, subject).
import { and, eq, asc } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { guarded } from './guard.js';
import * as schema from './schema.js';
import { users } from './schema.js';

export type UserRow = typeof users.$inferSelect;
export type NewUserRow = typeof users.$inferInsert;

export interface UsersRepo {
  get(id: string): Promise<UserRow | undefined>;
  getBySubject(issuer: string, subject: string): Promise<UserRow | undefined>;
  /** Inserts a new user or updates the IdP-sourced fields of an existing one (never `disabled`). */
  upsertFromIdp(row: NewUserRow): Promise<UserRow>;
  setDisabled(id: string, disabled: boolean, at: number): Promise<boolean>;
  list(limit?: number): Promise<UserRow[]>;
}

export function usersRepo(db: BetterSQLite3Database<typeof schema>): UsersRepo {
  const guard = guarded('user store');
  return {
    get: (id) => guard('get', () => db.select().from(users).where(eq(users.id, id)).get()),
    getBySubject: (issuer, subject) =>
      guard('get', () => db.select().from(users).where(and(eq(users.issuer, issuer), eq(users.subject, subject))).get()),
    upsertFromIdp: (row) =>
      guard('upsert', () =>
        db
          .insert(users)
          .values(row)
          .onConflictDoUpdate({
            target: [users.issuer, users.subject],
            set: {
              kind: row.kind,
              organization: row.organization ?? null,
              department: row.department ?? null,
              displayName: row.displayName ?? null,
              email: row.email ?? null,
              roles: row.roles ?? '[]',
              updatedAt: row.updatedAt,
            },
          })
          .returning()
          .get(),
      ),
    setDisabled: (id, disabled, at) =>
      guard('disable', () => db.update(users).set({ disabled, updatedAt: at }).where(eq(users.id, id)).run().changes > 0),
    list: (limit = 500) => guard('list', () => db.select().from(users).orderBy(asc(users.id)).limit(limit).all()),
  };
}
