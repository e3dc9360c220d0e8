// Issued certificates and their revocation state. Times are epoch milliseconds.
// Inserts are group-committed: rows inserted in the same tick share one transaction,
// and each insert resolves only after that transaction committed (synchronous=FULL).
import { and, eq, gt, isNotNull, isNull, desc, sql } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { wrapError } from '../errors/index.js';
import * as schema from './schema.js';
import { certificates } from './schema.js';

export type CertificateRow = typeof certificates.$inferSelect;
export type NewCertificateRow = typeof certificates.$inferInsert;

export interface CertificatesRepo {
  /** Resolves once the row is durable; rejects (store-unavailable) if it was not written. */
  insert(row: NewCertificateRow): Promise<void>;
  get(serial: string): Promise<CertificateRow | undefined>;
  /** Marks a certificate revoked; false when it was unknown or already revoked. */
  revoke(serial: string, reason: string, at: number): Promise<boolean>;
  /** Revokes every unrevoked certificate matching the filter; returns their serials. */
  revokeWhere(filter: { userId?: string; deviceId?: string; sessionId?: string; grantId?: string }, reason: string, at: number): Promise<string[]>;
  /** Revoked certificates; with `validAt`, only those whose notAfter is later. */
  listRevoked(validAt?: number): Promise<Pick<CertificateRow, 'serial' | 'revokedAt' | 'revocationReason' | 'notAfter'>[]>;
  list(filter?: { userId?: string; limit?: number }): Promise<CertificateRow[]>;
}

type InsertParams = { [K in keyof Required<NewCertificateRow>]: NewCertificateRow[K] | null };

interface Pending {
  row: InsertParams;
  resolve: () => void;
  reject: (err: unknown) => void;
}

const COLUMNS = ['serial', 'kind', 'subject', 'userId', 'deviceId', 'sessionId', 'grantId', 'fingerprint', 'notBefore', 'notAfter', 'issuedAt', 'revokedAt', 'revocationReason', 'pem'] as const;

export function certificatesRepo(db: BetterSQLite3Database<typeof schema>): CertificatesRepo {
  const guard = <T>(what: string, fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(wrapError('store-unavailable', `certificate store: ${what} failed`, err));
    }
  };
  const insertStmt = db
    .insert(certificates)
    .values(Object.fromEntries(COLUMNS.map((c) => [c, sql.placeholder(c)])) as unknown as NewCertificateRow)
    .prepare();
  const insertAll = (rows: readonly InsertParams[]) =>
    db.transaction(() => {
      for (const r of rows) insertStmt.run(r);
    });
  let queue: Pending[] = [];

  const flush = () => {
    const batch = queue;
    queue = [];
    try {
      insertAll(batch.map((p) => p.row));
      for (const p of batch) p.resolve();
      return;
    } catch {
      // One bad row (say, a duplicate serial) must not fail its neighbours: retry alone.
    }
    for (const p of batch) {
      try {
        insertStmt.run(p.row);
        p.resolve();
      } catch (err) {
        p.reject(wrapError('store-unavailable', 'certificate store: insert failed', err));
      }
    }
  };

  return {
    insert: (row) =>
      new Promise<void>((resolve, reject) => {
        queue.push({
          row: {
            serial: row.serial,
            kind: row.kind,
            subject: row.subject,
            userId: row.userId ?? null,
            deviceId: row.deviceId ?? null,
            sessionId: row.sessionId ?? null,
            grantId: row.grantId ?? null,
            fingerprint: row.fingerprint,
            notBefore: row.notBefore,
            notAfter: row.notAfter,
            issuedAt: row.issuedAt,
            revokedAt: row.revokedAt ?? null,
            revocationReason: row.revocationReason ?? null,
            pem: row.pem,
          },
          resolve,
          reject,
        });
        if (queue.length === 1) setImmediate(flush);
      }),
    get: (serial) => guard('get', () => db.select().from(certificates).where(eq(certificates.serial, serial)).get()),
    revoke: (serial, reason, at) =>
      guard('revoke', () => {
        const r = db
          .update(certificates)
          .set({ revokedAt: at, revocationReason: reason })
          .where(and(eq(certificates.serial, serial), isNull(certificates.revokedAt)))
          .run();
        return r.changes > 0;
      }),
    revokeWhere: (filter, reason, at) =>
      guard('revoke', () => {
        const conds = [isNull(certificates.revokedAt)];
        if (filter.userId) conds.push(eq(certificates.userId, filter.userId));
        if (filter.deviceId) conds.push(eq(certificates.deviceId, filter.deviceId));
        if (filter.sessionId) conds.push(eq(certificates.sessionId, filter.sessionId));
        if (filter.grantId) conds.push(eq(certificates.grantId, filter.grantId));
        if (conds.length === 1) return [];
        return db
          .update(certificates)
          .set({ revokedAt: at, revocationReason: reason })
          .where(and(...conds))
          .returning({ serial: certificates.serial })
          .all()
          .map((r) => r.serial);
      }),
    listRevoked: (validAt) =>
      guard('list revoked', () =>
        db
          .select({
            serial: certificates.serial,
            revokedAt: certificates.revokedAt,
            revocationReason: certificates.revocationReason,
            notAfter: certificates.notAfter,
          })
          .from(certificates)
          .where(validAt === undefined ? isNotNull(certificates.revokedAt) : and(isNotNull(certificates.revokedAt), gt(certificates.notAfter, validAt)))
          .all(),
      ),
    list: (filter = {}) =>
      guard('list', () => {
        const q = db.select().from(certificates);
        const where = filter.userId ? eq(certificates.userId, filter.userId) : undefined;
        return (where ? q.where(where) : q).orderBy(desc(certificates.issuedAt)).limit(filter.limit ?? 100).all();
      }),
  };
}
