// Audit rows and checkpoints. Prepared statements: this is the hot write path.
import type Database from 'better-sqlite3';
import { wrapError } from '../errors/index.js';

export interface AuditRow {
  seq: number;
  time: string;
  type: string;
  actor: string;
  outcome: string;
  detail: string;
  prevHash: string;
  hash: string;
}

export interface CheckpointRow {
  id: number;
  seq: number;
  hash: string;
  time: string;
  keyId: string;
  signature: string;
}

export interface AuditQuery {
  afterSeq?: number;
  beforeSeq?: number;
  actor?: string;
  type?: string;
  outcome?: string;
  sinceTime?: string;
  untilTime?: string;
  limit?: number;
  order?: 'asc' | 'desc';
}

export interface AuditRepo {
  /**
   * Inserts rows (and optionally a checkpoint of the new head) in one transaction;
   * resolves after the (FULL-sync) commit, rejects with `audit-unavailable` when nothing
   * was written.
   */
  appendBatch(rows: readonly AuditRow[], checkpoint?: Omit<CheckpointRow, 'id'>): Promise<void>;
  /** The last row of the chain, or undefined when empty. */
  head(): Promise<AuditRow | undefined>;
  /** Streams rows in seq order (bounded memory), from seq > afterSeq. */
  iterate(afterSeq?: number): AsyncIterable<AuditRow>;
  query(q: AuditQuery): Promise<AuditRow[]>;
  count(): Promise<number>;
  insertCheckpoint(row: Omit<CheckpointRow, 'id'>): Promise<void>;
  lastCheckpoint(): Promise<CheckpointRow | undefined>;
  listCheckpoints(): Promise<CheckpointRow[]>;
}

const COLS = 'seq, time, type, actor, outcome, detail, prev_hash AS prevHash, hash';
const PAGE = 1000;
const INSERT_CHUNK = 64;

export function auditRepo(sqlite: Database.Database): AuditRepo {
  // One multi-row INSERT per chunk: about half the per-row cost of one statement per row.
  const insertSql = (n: number) =>
    'INSERT INTO audit_events (seq, time, type, actor, outcome, detail, prev_hash, hash) VALUES ' +
    Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
  const insertStmts = new Map<number, Database.Statement>();
  const insertStmt = (n: number) => {
    let stmt = insertStmts.get(n);
    if (!stmt) insertStmts.set(n, (stmt = sqlite.prepare(insertSql(n))));
    return stmt;
  };
  const insertCp = sqlite.prepare(
    'INSERT INTO audit_checkpoints (seq, hash, time, key_id, signature) VALUES (@seq, @hash, @time, @keyId, @signature)',
  );
  const insertMany = sqlite.transaction((rows: readonly AuditRow[], cp: Omit<CheckpointRow, 'id'> | undefined) => {
    for (let i = 0; i < rows.length; i += INSERT_CHUNK) {
      const n = Math.min(INSERT_CHUNK, rows.length - i);
      const args: unknown[] = new Array(n * 8);
      for (let j = 0, k = 0; j < n; j++) {
        const r = rows[i + j]!;
        args[k++] = r.seq;
        args[k++] = r.time;
        args[k++] = r.type;
        args[k++] = r.actor;
        args[k++] = r.outcome;
        args[k++] = r.detail;
        args[k++] = r.prevHash;
        args[k++] = r.hash;
      }
      insertStmt(n).run(args);
    }
    if (cp) insertCp.run(cp);
  });
  const headStmt = sqlite.prepare(`SELECT ${COLS} FROM audit_events ORDER BY seq DESC LIMIT 1`);
  const pageStmt = sqlite.prepare(`SELECT ${COLS} FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ${PAGE}`);
  const countStmt = sqlite.prepare('SELECT count(*) AS n FROM audit_events');
  const cpCols = 'id, seq, hash, time, key_id AS keyId, signature';
  const lastCp = sqlite.prepare(`SELECT ${cpCols} FROM audit_checkpoints ORDER BY id DESC LIMIT 1`);
  const allCp = sqlite.prepare(`SELECT ${cpCols} FROM audit_checkpoints ORDER BY id`);

  const guard = <T>(what: string, fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(wrapError('audit-unavailable', `audit store: ${what} failed`, err));
    }
  };

  return {
    // IMMEDIATE: take the write lock up front instead of failing to upgrade a read lock.
    appendBatch: (rows, checkpoint) => guard('append', () => insertMany.immediate(rows, checkpoint)),
    head: () => guard('head', () => headStmt.get() as AuditRow | undefined),
    async *iterate(afterSeq = 0) {
      let after = afterSeq;
      for (;;) {
        const rows = await guard('read', () => pageStmt.all(after) as AuditRow[]);
        if (rows.length === 0) return;
        yield* rows;
        after = rows[rows.length - 1]!.seq;
      }
    },
    query: (q) =>
      guard('query', () => {
        const where: string[] = [];
        const args: unknown[] = [];
        const add = (sql: string, v: unknown) => {
          where.push(sql);
          args.push(v);
        };
        if (q.afterSeq !== undefined) add('seq > ?', q.afterSeq);
        if (q.beforeSeq !== undefined) add('seq < ?', q.beforeSeq);
        if (q.actor !== undefined) add('actor = ?', q.actor);
        if (q.type !== undefined) add('type = ?', q.type);
        if (q.outcome !== undefined) add('outcome = ?', q.outcome);
        if (q.sinceTime !== undefined) add('time >= ?', q.sinceTime);
        if (q.untilTime !== undefined) add('time < ?', q.untilTime);
        const limit = Math.min(Math.max(q.limit ?? 100, 1), 10_000);
        const order = q.order === 'asc' ? 'ASC' : 'DESC';
        const sql = `SELECT ${COLS} FROM audit_events ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY seq ${order} LIMIT ${limit}`;
        return sqlite.prepare(sql).all(...args) as AuditRow[];
      }),
    count: () => guard('count', () => (countStmt.get() as { n: number }).n),
    insertCheckpoint: (row) => guard('checkpoint', () => void insertCp.run(row)),
    lastCheckpoint: () => guard('checkpoint', () => lastCp.get() as CheckpointRow | undefined),
    listCheckpoints: () => guard('checkpoint', () => allCp.all() as CheckpointRow[]),
  };
}
