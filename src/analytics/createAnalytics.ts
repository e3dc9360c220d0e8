// The analytics service: follows the audit chain (cursor "analytics" in export_cursors),
// runs the detectors, and for each detection writes an alerts row, a security-alert audit
// event (exported as ATNA 110113), a webhook, and raises the subject's risk score. Baselines
// are saved in analytics_state after every batch and loaded at start; risk is rebuilt from
// the open alerts.
import { randomUUID } from 'node:crypto';
import { createAuditExporter, eventFacts, type AuditExporter, type OpenedAuditLog } from '../audit/index.js';
import type { Notifier } from '../notify/index.js';
import type { AlertRow, Store } from '../store/index.js';
import { createDetectors, type DetectorSettings, type Detectors } from './createDetectors.js';
import { toActivity } from './toActivity.js';
import type { Detection, PrincipalInfo } from './types.js';

export interface AnalyticsOptions {
  store: Pick<Store, 'audit' | 'monitoring' | 'users'>;
  audit: Pick<OpenedAuditLog, 'append' | 'onCommit'>;
  notifier?: Pick<Notifier, 'send'>;
  settings?: Partial<DetectorSettings>;
  /** Half-life of an alert's contribution to the risk score (default 24 h). */
  riskHalfLifeHours?: number;
  now?: () => number;
  pollMs?: number;
  /** Told about every raised alert (metrics). */
  onAlert?: (d: Detection) => void;
  onError?: (err: unknown) => void;
}

export interface Analytics {
  /** 0-100: the decayed sum of the user's open alerts; the gateways put it into context.risk.score. */
  riskScore(userId: string): number;
  acknowledge(id: string, by: string): Promise<boolean>;
  listAlerts(filter?: { open?: boolean; subject?: string; since?: number; limit?: number }): Promise<AlertRow[]>;
  /** Resolves when every committed audit event has been analysed. */
  drain(): Promise<void>;
  readonly detectors: Detectors;
  close(): Promise<void>;
}

interface RiskEntry {
  id: string;
  score: number;
  at: number;
}

const STATE_CURSOR = 'analytics';

export async function createAnalytics(o: AnalyticsOptions): Promise<Analytics> {
  const now = o.now ?? Date.now;
  const halfLife = (o.riskHalfLifeHours ?? 24) * 3600_000;
  const detectors = createDetectors(o.settings);
  for (const row of await o.store.monitoring.loadState()) {
    try {
      detectors.load(row.key, JSON.parse(row.value));
    } catch (err) {
      o.onError?.(err);
    }
  }
  const risk = new Map<string, RiskEntry[]>();
  for (const a of await o.store.monitoring.listAlerts({ open: true, since: now() - 14 * 24 * 3600_000, limit: 10_000 })) {
    (risk.get(a.subject) ?? risk.set(a.subject, []).get(a.subject)!).push({ id: a.id, score: a.score, at: a.detectedAt });
  }
  const people = new Map<string, PrincipalInfo | undefined>();

  const raise = async (d: Detection) => {
    const id = randomUUID();
    const row: AlertRow = { id, kind: d.kind, subject: d.subject, detectedAt: d.t, score: d.score, explanation: JSON.stringify(d.explanation), auditSeq: null, acknowledgedAt: null, acknowledgedBy: null };
    await o.store.monitoring.insertAlert(row);
    (risk.get(d.subject) ?? risk.set(d.subject, []).get(d.subject)!).push({ id, score: d.score, at: d.t });
    const receipt = await o.audit.append({
      type: 'analytics.alert',
      actor: 'system',
      outcome: 'alert',
      detail: { alertId: id, kind: d.kind, subject: d.subject, org: d.org, score: d.score, triggerSeq: d.seq, reason: d.explanation.message, explanation: d.explanation },
    });
    await o.store.monitoring.setAlertAuditSeq(id, receipt.seq);
    o.onAlert?.(d);
    void o.notifier?.send({ type: 'alert.raised', alertId: id, kind: d.kind, subject: d.subject, score: d.score, message: d.explanation.message });
  };

  const exporter: AuditExporter = await createAuditExporter({
    name: STATE_CURSOR,
    store: o.store,
    audit: o.audit,
    ...(o.pollMs !== undefined ? { pollMs: o.pollMs } : {}),
    batch: 2000,
    ...(o.onError ? { onError: o.onError } : {}),
    sink: {
      async deliver(rows) {
        // Look up the principals of this batch once (kind and organisation).
        for (const r of rows) {
          const f = eventFacts(r);
          if (f.userId !== undefined && !people.has(f.userId)) {
            const u = await o.store.users.get(f.userId);
            people.set(f.userId, u ? { kind: u.kind, org: u.organization ?? '' } : undefined);
          }
        }
        const found: Detection[] = [];
        for (const r of rows) {
          const a = toActivity(eventFacts(r), (id) => people.get(id));
          if (a) found.push(...detectors.observe(a));
        }
        for (const d of found) await raise(d);
        const at = now();
        const seq = rows[rows.length - 1]!.seq;
        const dirty = detectors.dirtyState();
        if (dirty.length > 0) await o.store.monitoring.saveState(dirty.map((s) => ({ key: s.key, value: JSON.stringify(s.value), seq, updatedAt: at })));
      },
    },
  });

  return {
    detectors,
    riskScore(userId) {
      const list = risk.get(userId);
      if (!list) return 0;
      const t = now();
      let sum = 0;
      for (const e of list) sum += e.score * 0.5 ** (Math.max(0, t - e.at) / halfLife);
      return Math.min(100, Math.round(sum));
    },
    async acknowledge(id, by) {
      const ok = await o.store.monitoring.acknowledgeAlert(id, by, now());
      if (!ok) return false;
      for (const [subject, list] of risk) {
        const i = list.findIndex((e) => e.id === id);
        if (i >= 0) {
          list.splice(i, 1);
          if (list.length === 0) risk.delete(subject);
        }
      }
      await o.audit.append({ type: 'analytics.alert.acknowledge', actor: `Radgate::User::${JSON.stringify(by)}`, outcome: 'success', detail: { alertId: id } });
      return true;
    },
    listAlerts: (f) => o.store.monitoring.listAlerts(f),
    drain: () => exporter.drain(),
    close: () => exporter.close(),
  };
}
