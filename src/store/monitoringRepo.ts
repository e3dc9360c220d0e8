// Monitoring state: export cursors (ATNA/FHIR positions in the audit chain), behavioural
// alerts, and persisted analytics baselines. Prepared statements; analytics saves in batches.
import type Database from 'better-sqlite3';
import { guarded } from './guard.js';

export interface AlertRow {
  id: string;
  kind: string;
  subject: string;
  detectedAt: number;
  score: number;
  /** JSON: the baseline broken, observed and expected values, by how much. */
  explanation: string;
  auditSeq: number | null;
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
}

export interface AnalyticsStateRow {
  key: string;
  value: string;
  seq: number;
  updatedAt: number;
}

export interface MonitoringRepo {
  getCursor(name: string): Promise<number | undefined>;
  setCursor(name: string, seq: number, at: number): Promise<void>;
  insertAlert(row: AlertRow): Promise<void>;
  setAlertAuditSeq(id: string, seq: number): Promise<void>;
  getAlert(id: string): Promise<AlertRow | undefined>;
  /** Newest first. */
  listAlerts(filter?: { open?: boolean; subject?: string; since?: number; limit?: number }): Promise<AlertRow[]>;
  /** False when unknown or already acknowledged. */
  acknowledgeAlert(id: string, by: string, at: number): Promise<boolean>;
  loadState(): Promise<AnalyticsStateRow[]>;
  /** Upserts rows in one transaction. */
  saveState(rows: readonly AnalyticsStateRow[]): Promise<void>;
}

const ALERT_COLS =
  'id, kind, subject, detected_at AS detectedAt, score, explanation, audit_seq AS auditSeq, acknowledged_at AS acknowledgedAt, acknowledged_by AS acknowledgedBy';

export function monitoringRepo(sqlite: Database.Database): MonitoringRepo {
  const guard = guarded('monitoring store');
  const getCursor = sqlite.prepare('SELECT seq FROM export_cursors WHERE name = ?');
  const setCursor = sqlite.prepare(
    'INSERT INTO export_cursors (name, seq, updated_at) VALUES (?, ?, ?) ON CONFLICT(name) DO UPDATE SET seq = excluded.seq, updated_at = excluded.updated_at',
  );
  const insertAlert = sqlite.prepare(
    'INSERT INTO alerts (id, kind, subject, detected_at, score, explanation, audit_seq, acknowledged_at, acknowledged_by) VALUES (@id, @kind, @subject, @detectedAt, @score, @explanation, @auditSeq, @acknowledgedAt, @acknowledgedBy)',
  );
  const setAlertSeq = sqlite.prepare('UPDATE alerts SET audit_seq = ? WHERE id = ?');
  const getAlert = sqlite.prepare(`SELECT ${ALERT_COLS} FROM alerts WHERE id = ?`);
  const ack = sqlite.prepare('UPDATE alerts SET acknowledged_at = ?, acknowledged_by = ? WHERE id = ? AND acknowledged_at IS NULL');
  const loadState = sqlite.prepare('SELECT key, value, seq, updated_at AS updatedAt FROM analytics_state');
  const upsertState = sqlite.prepare(
    'INSERT INTO analytics_state (key, value, seq, updated_at) VALUES (@key, @value, @seq, @updatedAt) ON CONFLICT(key) DO UPDATE SET value = excluded.value, seq = excluded.seq, updated_at = excluded.updated_at',
  );
  const saveMany = sqlite.transaction((rows: readonly AnalyticsStateRow[]) => {
    for (const r of rows) upsertState.run(r);
  });
  return {
    getCursor: (name) => guard('cursor', () => (getCursor.get(name) as { seq: number } | undefined)?.seq),
    setCursor: (name, seq, at) => guard('cursor', () => void setCursor.run(name, seq, at)),
    insertAlert: (row) => guard('alert', () => void insertAlert.run(row)),
    setAlertAuditSeq: (id, seq) => guard('alert', () => void setAlertSeq.run(seq, id)),
    getAlert: (id) => guard('alert', () => getAlert.get(id) as AlertRow | undefined),
    listAlerts: (f = {}) =>
      guard('alerts', () => {
        const where: string[] = [];
        const args: unknown[] = [];
        if (f.open === true) where.push('acknowledged_at IS NULL');
        if (f.open === false) where.push('acknowledged_at IS NOT NULL');
        if (f.subject !== undefined) {
          where.push('subject = ?');
          args.push(f.subject);
        }
        if (f.since !== undefined) {
          where.push('detected_at >= ?');
          args.push(f.since);
        }
        const limit = Math.min(Math.max(f.limit ?? 100, 1), 10_000);
        return sqlite.prepare(`SELECT ${ALERT_COLS} FROM alerts ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY detected_at DESC, id LIMIT ${limit}`).all(...args) as AlertRow[];
      }),
    acknowledgeAlert: (id, by, at) => guard('alert', () => ack.run(at, by, id).changes === 1),
    loadState: () => guard('analytics state', () => loadState.all() as AnalyticsStateRow[]),
    saveState: (rows) => guard('analytics state', () => saveMany.immediate(rows)),
  };
}
