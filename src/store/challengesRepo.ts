// Single-use, expiring handles: WebAuthn challenges, OIDC transactions, agent login codes,
// enrolment codes. Taking one deletes it in the same statement, so it can be used once.
import { and, eq, gt, lt, isNull } from 'drizzle-orm';
import type Database from 'better-sqlite3';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { guarded } from './guard.js';
import * as schema from './schema.js';
import { authChallenges, enrolmentCodes } from './schema.js';

export type ChallengeRow = typeof authChallenges.$inferSelect;
export type EnrolmentCodeRow = typeof enrolmentCodes.$inferSelect;

export interface ChallengesRepo {
  put(row: ChallengeRow): Promise<void>;
  /** Deletes and returns the row when it exists, has this purpose and has not expired. */
  take(idHash: string, purpose: string, now: number): Promise<ChallengeRow | undefined>;
  /** Reads without consuming (device-code polling); undefined when missing or expired. */
  peek(idHash: string, purpose: string, now: number): Promise<ChallengeRow | undefined>;
  /** Replaces the payload of a live row (e.g. a device code being approved). */
  updatePayload(idHash: string, purpose: string, payload: string): Promise<boolean>;
  purgeExpired(now: number): Promise<number>;
  putEnrolmentCode(row: Omit<EnrolmentCodeRow, 'usedAt'>): Promise<void>;
  /** Marks an unused, unexpired code for this user as used; false otherwise. */
  useEnrolmentCode(codeHash: string, userId: string, now: number): Promise<boolean>;
}

export function challengesRepo(db: BetterSQLite3Database<typeof schema>, sqlite: Database.Database): ChallengesRepo {
  const guard = guarded('challenge store');
  const takeStmt = sqlite.prepare(
    `DELETE FROM auth_challenges WHERE id_hash = ? AND purpose = ?
     RETURNING id_hash AS idHash, purpose, session_id AS sessionId, user_id AS userId, payload, created_at AS createdAt, expires_at AS expiresAt`,
  );
  return {
    put: (row) => guard('put', () => void db.insert(authChallenges).values(row).run()),
    take: (idHash, purpose, now) =>
      guard('take', () => {
        const row = takeStmt.get(idHash, purpose) as ChallengeRow | undefined;
        return row && row.expiresAt > now ? row : undefined;
      }),
    peek: (idHash, purpose, now) =>
      guard('peek', () => {
        const row = db.select().from(authChallenges).where(and(eq(authChallenges.idHash, idHash), eq(authChallenges.purpose, purpose))).get();
        return row && row.expiresAt > now ? row : undefined;
      }),
    updatePayload: (idHash, purpose, payload) =>
      guard('update', () =>
        db.update(authChallenges).set({ payload }).where(and(eq(authChallenges.idHash, idHash), eq(authChallenges.purpose, purpose))).run().changes > 0,
      ),
    purgeExpired: (now) => guard('purge', () => db.delete(authChallenges).where(lt(authChallenges.expiresAt, now)).run().changes),
    putEnrolmentCode: (row) => guard('put', () => void db.insert(enrolmentCodes).values(row).run()),
    useEnrolmentCode: (codeHash, userId, now) =>
      guard('use', () => {
        const e = enrolmentCodes;
        return db.update(e).set({ usedAt: now }).where(and(eq(e.codeHash, codeHash), eq(e.userId, userId), isNull(e.usedAt), gt(e.expiresAt, now))).run().changes > 0;
      }),
  };
}
