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
  /** Inserts rows in one transaction; resolves after the (FULL-sync) commit. */
  appendBatch(rows: readonly AuditRow[]): Promise<void>;
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

export function auditRepo(sqlite: Database.Database): AuditRepo {
  const insert = sqlite.prepare(
    'INSERT INTO audit_events (seq, time, type, actor, outcome, detail, prev_hash, hash) VALUES (@seq, @time, @type, @actor, @outcome, @detail, @prevHash, @hash)',
  );
  const insertMany = sqlite.transaction((rows: readonly AuditRow[]) => {
    for (const r of rows) insert.run(r);
  });
  const headStmt = sqlite.prepare(`SELECT ${COLS} FROM audit_events ORDER BY seq DESC LIMIT 1`);
  const pageStmt = sqlite.prepare(`SELECT ${COLS} FROM audit_events WHERE seq > ? ORDER BY seq LIMIT ${PAGE}`);
  const countStmt = sqlite.prepare('SELECT count(*) AS n FROM audit_events');
  const insertCp = sqlite.prepare(
    'INSERT INTO audit_checkpoints (seq, hash, time, key_id, signature) VALUES (@seq, @hash, @time, @keyId, @signature)',
  );
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
    appendBatch: (rows) => guard('append', () => insertMany(rows)),
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
