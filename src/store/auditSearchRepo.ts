// Audit search for the admin console: parameterised filters over a seq range found from a
// time range (binary search on the primary key), newest first, bounded pages. The audit
// table has no secondary indexes (they would slow the durable path), so every scan is
// bounded by a seq range.
import type Database from 'better-sqlite3';
import { wrapError } from '../errors/index.js';
import type { AuditRow } from './auditRepo.js';

export interface AuditSearchQuery {
  /** Inclusive seq range to scan. */
  fromSeq: number;
  toSeq: number;
  actor?: string;
  type?: string;
  /** `detail.action` (decisions and gateway events). */
  action?: string;
  outcome?: string;
  /** Each entry must occur in the event's detail (target names, study UIDs); an array: any of its strings. */
  detailContains?: readonly (string | readonly string[])[];
  /** Page cursor: only events with seq < beforeSeq. */
  beforeSeq?: number;
  limit: number;
}

export interface AuditSearchRepo {
  search(q: AuditSearchQuery): Promise<AuditRow[]>;
  /** The first seq whose time is ≥ `isoTime` (head + 1 when none); times rise with seq. */
  seqAtOrAfter(isoTime: string): Promise<number>;
  headSeq(): Promise<number>;
}

const COLS = 'seq, time, type, actor, outcome, detail, prev_hash AS prevHash, hash';
export const AUDIT_SEARCH_MAX_LIMIT = 1000;

export function auditSearchRepo(sqlite: Database.Database): AuditSearchRepo {
  const timeAt = sqlite.prepare('SELECT time FROM audit_events WHERE seq = ?').pluck();
  const head = sqlite.prepare('SELECT max(seq) FROM audit_events').pluck();
  const statements = new Map<string, Database.Statement>();
  const guard = <T>(what: string, fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(wrapError('store-unavailable', `audit search: ${what} failed`, err));
    }
  };
  const headSeq = () => (head.get() as number | null) ?? 0;
  return {
    headSeq: () => guard('head', headSeq),
    seqAtOrAfter: (isoTime) =>
      guard('seek', () => {
        let lo = 1;
        let hi = headSeq() + 1;
        while (lo < hi) {
          const mid = Math.floor((lo + hi) / 2);
          const t = timeAt.get(mid) as string | undefined;
          // A missing seq (should not happen: the chain has no gaps) reads as "later".
          if (t === undefined || t >= isoTime) hi = mid;
          else lo = mid + 1;
        }
        return lo;
      }),
    search: (q) =>
      guard('search', () => {
        const where = ['seq >= ?', 'seq <= ?'];
        const args: unknown[] = [q.fromSeq, q.toSeq];
        if (q.beforeSeq !== undefined) {
          where.push('seq < ?');
          args.push(q.beforeSeq);
        }
        if (q.actor !== undefined) {
          where.push('actor = ?');
          args.push(q.actor);
        }
        if (q.type !== undefined) {
          where.push('type = ?');
          args.push(q.type);
        }
        if (q.outcome !== undefined) {
          where.push('outcome = ?');
          args.push(q.outcome);
        }
        if (q.action !== undefined) {
          where.push("json_extract(detail, '$.action') = ?");
          args.push(q.action);
        }
        for (const s of q.detailContains ?? []) {
          const any = typeof s === 'string' ? [s] : s;
          where.push(`(${any.map(() => 'instr(detail, ?) > 0').join(' OR ')})`);
          args.push(...any);
        }
        const limit = Math.min(Math.max(1, Math.floor(q.limit)), AUDIT_SEARCH_MAX_LIMIT);
        // Only the shape of the statement varies (which filters are present); values are bound.
        const sql = `SELECT ${COLS} FROM audit_events WHERE ${where.join(' AND ')} ORDER BY seq DESC LIMIT ${limit}`;
        let stmt = statements.get(sql);
        if (!stmt) {
          if (statements.size > 256) statements.clear();
          statements.set(sql, (stmt = sqlite.prepare(sql)));
        }
        return stmt.all(...args) as AuditRow[];
      }),
  };
}
