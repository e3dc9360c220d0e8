// Login sessions. Lookups are by token hash; the token itself never reaches the store.
import { and, desc, eq, ne } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { guarded } from './guard.js';
import * as schema from './schema.js';
import { loginSessions } from './schema.js';

export type SessionRow = typeof loginSessions.$inferSelect;
export type NewSessionRow = typeof loginSessions.$inferInsert;

export interface SessionsRepo {
  insert(row: NewSessionRow): Promise<void>;
  get(id: string): Promise<SessionRow | undefined>;
  /** Hot path: prepared statement. */
  getByTokenHash(tokenHash: string): Promise<SessionRow | undefined>;
  update(id: string, set: Partial<Omit<SessionRow, 'id' | 'tokenHash' | 'userId'>>): Promise<boolean>;
  touch(id: string, at: number): Promise<void>;
  /** A verified security key: pending-key/active -> active; false when the session ended meanwhile. */
  markVerified(id: string, credentialId: string, amr: string, at: number): Promise<boolean>;
  /** Ends one live session; false when unknown or already ended. */
  end(id: string, reason: string, at: number): Promise<boolean>;
  /** Ends every live session matching the filter; returns their ids. */
  endWhere(filter: { userId?: string; idp?: string; idpSid?: string; parentId?: string }, reason: string, at: number): Promise<string[]>;
  listForUser(userId: string, opts?: { includeEnded?: boolean; limit?: number }): Promise<SessionRow[]>;
}

export function sessionsRepo(db: BetterSQLite3Database<typeof schema>, sqlite: Database.Database): SessionsRepo {
  const guard = guarded('session store');
  const byToken = sqlite.prepare(
    `SELECT id, token_hash AS tokenHash, user_id AS userId, kind, state, idp, idp_sid AS idpSid, amr, credential_id AS credentialId,
            parent_id AS parentId, csrf_secret AS csrfSecret, user_agent AS userAgent, source_ip AS sourceIp, created_at AS createdAt,
            last_seen_at AS lastSeenAt, expires_at AS expiresAt, oidc_at AS oidcAt, verified_at AS verifiedAt, ended_at AS endedAt,
            end_reason AS endReason
       FROM login_sessions WHERE token_hash = ?`,
  );
  const touchStmt = sqlite.prepare('UPDATE login_sessions SET last_seen_at = ? WHERE id = ? AND last_seen_at < ?');
  return {
    insert: (row) => guard('insert', () => void db.insert(loginSessions).values(row).run()),
    get: (id) => guard('get', () => db.select().from(loginSessions).where(eq(loginSessions.id, id)).get()),
    getByTokenHash: (h) => guard('get', () => byToken.get(h) as SessionRow | undefined),
    update: (id, set) => guard('update', () => db.update(loginSessions).set(set).where(eq(loginSessions.id, id)).run().changes > 0),
    touch: (id, at) => guard('touch', () => void touchStmt.run(at, id, at)),
    markVerified: (id, credentialId, amr, at) =>
      guard('verify', () =>
        db
          .update(loginSessions)
          .set({ state: 'active', credentialId, verifiedAt: at, amr })
          .where(and(eq(loginSessions.id, id), ne(loginSessions.state, 'ended')))
          .run().changes > 0,
      ),
    end: (id, reason, at) =>
      guard('end', () =>
        db
          .update(loginSessions)
          .set({ state: 'ended', endedAt: at, endReason: reason })
          .where(and(eq(loginSessions.id, id), ne(loginSessions.state, 'ended')))
          .run().changes > 0,
      ),
    endWhere: (filter, reason, at) =>
      guard('end', () => {
        const conds = [ne(loginSessions.state, 'ended')];
        if (filter.userId) conds.push(eq(loginSessions.userId, filter.userId));
        if (filter.idp) conds.push(eq(loginSessions.idp, filter.idp));
        if (filter.idpSid) conds.push(eq(loginSessions.idpSid, filter.idpSid));
        if (filter.parentId) conds.push(eq(loginSessions.parentId, filter.parentId));
        if (conds.length === 1) return [];
        return db
          .update(loginSessions)
          .set({ state: 'ended', endedAt: at, endReason: reason })
          .where(and(...conds))
          .returning({ id: loginSessions.id })
          .all()
          .map((r) => r.id);
      }),
    listForUser: (userId, opts = {}) =>
      guard('list', () => {
        const where = opts.includeEnded ? eq(loginSessions.userId, userId) : and(eq(loginSessions.userId, userId), ne(loginSessions.state, 'ended'));
        return db.select().from(loginSessions).where(where).orderBy(desc(loginSessions.createdAt)).limit(opts.limit ?? 100).all();
      }),
  };
}
