// Issued certificates and their revocation state.
import { and, eq, isNotNull, isNull, desc } from 'drizzle-orm';
import type { BetterSQLite3Database } from 'drizzle-orm/better-sqlite3';
import { wrapError } from '../errors/index.js';
import * as schema from './schema.js';
import { certificates } from './schema.js';

export type CertificateRow = typeof certificates.$inferSelect;
export type NewCertificateRow = typeof certificates.$inferInsert;

export interface CertificatesRepo {
  insert(row: NewCertificateRow): Promise<void>;
  get(serial: string): Promise<CertificateRow | undefined>;
  /** Marks a certificate revoked; false when it was unknown or already revoked. */
  revoke(serial: string, reason: string, at: number): Promise<boolean>;
  /** Revokes every unrevoked certificate matching the filter; returns their serials. */
  revokeWhere(filter: { userId?: string; deviceId?: string; sessionId?: string; grantId?: string }, reason: string, at: number): Promise<string[]>;
  listRevoked(): Promise<Pick<CertificateRow, 'serial' | 'revokedAt' | 'revocationReason' | 'notAfter'>[]>;
  list(filter?: { userId?: string; limit?: number }): Promise<CertificateRow[]>;
}

export function certificatesRepo(db: BetterSQLite3Database<typeof schema>): CertificatesRepo {
  const guard = <T>(what: string, fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(wrapError('store-unavailable', `certificate store: ${what} failed`, err));
    }
  };
  return {
    insert: (row) => guard('insert', () => void db.insert(certificates).values(row).run()),
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
    listRevoked: () =>
      guard('list revoked', () =>
        db
          .select({
            serial: certificates.serial,
            revokedAt: certificates.revokedAt,
            revocationReason: certificates.revocationReason,
            notAfter: certificates.notAfter,
          })
          .from(certificates)
          .where(isNotNull(certificates.revokedAt))
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
