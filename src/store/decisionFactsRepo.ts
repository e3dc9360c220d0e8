// Decision facts (what authorize() was asked), keyed by the seq of the decision's audit
// event, and the paged scans that replay stored decisions (impact preview).
import type Database from 'better-sqlite3';
import { wrapError } from '../errors/index.js';

export interface DecisionFactsRow {
  seq: number;
  facts: string;
}

/** One stored decision joined with its facts (null when none were recorded). */
export interface StoredDecisionRow {
  seq: number;
  time: string;
  actor: string;
  outcome: string;
  detail: string;
  facts: string | null;
}

export interface DecisionFactsRepo {
  /** Inserts (or replaces) facts in one transaction. */
  insertBatch(rows: readonly DecisionFactsRow[]): Promise<void>;
  /** Decisions with seq in (afterSeq, toSeq], oldest first, at most `limit` (≤ 5000). */
  decisionsPage(afterSeq: number, toSeq: number, limit: number): Promise<StoredDecisionRow[]>;
  /** Deletes facts of decisions with seq < beforeSeq; returns how many. */
  pruneBefore(beforeSeq: number): Promise<number>;
  count(): Promise<number>;
}

export function decisionFactsRepo(sqlite: Database.Database): DecisionFactsRepo {
  const insert = sqlite.prepare('INSERT OR REPLACE INTO decision_facts (seq, facts) VALUES (?, ?)');
  const insertMany = sqlite.transaction((rows: readonly DecisionFactsRow[]) => {
    for (const r of rows) insert.run(r.seq, r.facts);
  });
  const page = sqlite.prepare(
    `SELECT a.seq AS seq, a.time AS time, a.actor AS actor, a.outcome AS outcome, a.detail AS detail, f.facts AS facts
       FROM audit_events a LEFT JOIN decision_facts f ON f.seq = a.seq
      WHERE a.seq > ? AND a.seq <= ? AND a.type = 'decision' ORDER BY a.seq LIMIT ?`,
  );
  const prune = sqlite.prepare('DELETE FROM decision_facts WHERE seq < ?');
  const countStmt = sqlite.prepare('SELECT count(*) AS n FROM decision_facts');
  const guard = <T>(what: string, fn: () => T): Promise<T> => {
    try {
      return Promise.resolve(fn());
    } catch (err) {
      return Promise.reject(wrapError('store-unavailable', `decision facts: ${what} failed`, err));
    }
  };
  return {
    insertBatch: (rows) => guard('insert', () => void insertMany.immediate(rows)),
    decisionsPage: (afterSeq, toSeq, limit) => guard('scan', () => page.all(afterSeq, toSeq, Math.min(Math.max(1, Math.floor(limit)), 5000)) as StoredDecisionRow[]),
    pruneBefore: (beforeSeq) => guard('prune', () => prune.run(beforeSeq).changes),
    count: () => guard('count', () => (countStmt.get() as { n: number }).n),
  };
}
