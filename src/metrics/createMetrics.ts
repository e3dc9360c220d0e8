// Prometheus metrics (prom-client) for one broker: policy decisions (observed on the
// decision path), and what the audit stream says (commit latency, certificates, bytes
// proxied, alerts); gauges (audit queue, live sessions, export spool and lag) are read at
// scrape time. Its own registry, so several brokers in one process (tests) do not collide.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { AuditRow } from '../store/index.js';

export type DecisionObserver = (action: string, decision: 'allow' | 'deny', cached: boolean, elapsedNs: number) => void;

export interface ExportStatus {
  exporter: string;
  /** Records spooled and not yet delivered (0 for exporters without a spool). */
  spoolDepth: number;
  /** Audit events committed but not yet delivered. */
  lagEvents: number;
}

export interface MetricsSources {
  audit?: {
    onCommit(listener: (rows: readonly AuditRow[], commitMs: number) => void): () => void;
    stats(): { pending: number };
  };
  liveSessions?: { list(): readonly { gateway: string }[] };
  exports?: () => readonly ExportStatus[];
  /** Alert kinds reported as 0 before the first alert of each. */
  alertKinds?: readonly string[];
  gateways?: readonly string[];
}

export interface Metrics {
  readonly registry: Registry;
  /** The policy engine's observer: cheap enough for the decision hot path. */
  readonly observeDecision: DecisionObserver;
  /** Records handed to an export destination. */
  exported(exporter: string, records: number): void;
  /** Follows the audit stream and reads the gauges' sources at scrape time; returns the detach. */
  attach(sources: MetricsSources): () => void;
  /** The exposition text (what /metrics serves). */
  text(): Promise<string>;
}

const DECISION_BUCKETS = [0.000_002, 0.000_005, 0.000_01, 0.000_025, 0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.01, 0.05];
const COMMIT_BUCKETS = [0.000_5, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];
const GATEWAYS = ['http', 'dicom', 'tunnel'];

export function createMetrics(o: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (o.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const decisions = new Counter({ name: 'radgate_decisions_total', help: 'Policy decisions by action and outcome', labelNames: ['action', 'outcome'] as const, registers: [registry] });
  const latency = new Histogram({ name: 'radgate_decision_duration_seconds', help: 'Time inside authorize(), by whether the decision cache answered', labelNames: ['cached'] as const, buckets: DECISION_BUCKETS, registers: [registry] });
  const cache = new Counter({ name: 'radgate_decision_cache_total', help: 'Decision cache lookups by result (hit or miss)', labelNames: ['result'] as const, registers: [registry] });
  let hits = 0;
  let lookups = 0;
  new Gauge({
    name: 'radgate_decision_cache_hit_ratio',
    help: 'Decision cache hits / decisions since start',
    registers: [registry],
    collect() {
      this.set(lookups === 0 ? 0 : hits / lookups);
    },
  });
  const commitLatency = new Histogram({ name: 'radgate_audit_commit_duration_seconds', help: 'Audit group-commit transaction time (per batch)', buckets: COMMIT_BUCKETS, registers: [registry] });
  const committed = new Counter({ name: 'radgate_audit_events_total', help: 'Audit events committed', registers: [registry] });
  const issued = new Counter({ name: 'radgate_certificates_issued_total', help: 'Client certificates issued', registers: [registry] });
  const revoked = new Counter({ name: 'radgate_certificates_revoked_total', help: 'Certificates revoked', registers: [registry] });
  const bytes = new Counter({ name: 'radgate_proxied_bytes_total', help: 'Bytes proxied by the gateways (from their audit records), by direction', labelNames: ['gateway', 'direction'] as const, registers: [registry] });
  const alerts = new Counter({ name: 'radgate_alerts_total', help: 'Behavioural alerts raised, by kind', labelNames: ['kind'] as const, registers: [registry] });
  const exportedRecords = new Counter({ name: 'radgate_export_records_total', help: 'Records handed to an export destination', labelNames: ['exporter'] as const, registers: [registry] });
  for (const g of GATEWAYS) for (const d of ['to_client', 'from_client']) bytes.labels(g, d).inc(0);

  const sources: MetricsSources[] = [];
  new Gauge({
    name: 'radgate_audit_queue_depth',
    help: 'Audit appends accepted and not yet committed',
    registers: [registry],
    collect() {
      const a = sources.find((s) => s.audit)?.audit;
      if (a) this.set(a.stats().pending);
    },
  });
  new Gauge({
    name: 'radgate_live_sessions',
    help: 'Open gateway connections, by gateway',
    labelNames: ['gateway'] as const,
    registers: [registry],
    collect() {
      const reg = sources.find((s) => s.liveSessions);
      if (!reg) return;
      const n = new Map<string, number>((reg.gateways ?? GATEWAYS).map((g) => [g, 0]));
      for (const s of reg.liveSessions!.list()) n.set(s.gateway, (n.get(s.gateway) ?? 0) + 1);
      this.reset();
      for (const [g, v] of n) this.labels(g).set(v);
    },
  });
  const exportStatus = () => sources.flatMap((s) => (s.exports ? s.exports() : []));
  new Gauge({
    name: 'radgate_export_spool_depth',
    help: 'Export records spooled and not yet delivered, by exporter',
    labelNames: ['exporter'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const e of exportStatus()) this.labels(e.exporter).set(e.spoolDepth);
    },
  });
  new Gauge({
    name: 'radgate_export_lag_events',
    help: 'Audit events committed and not yet delivered, by exporter',
    labelNames: ['exporter'] as const,
    registers: [registry],
    collect() {
      this.reset();
      for (const e of exportStatus()) this.labels(e.exporter).set(e.lagEvents);
    },
  });

  // Label children resolved once per combination: the decision path pays a map lookup.
  const decisionChildren = new Map<string, { count: Counter.Internal }>();
  const latencyChild = { true: latency.labels('true'), false: latency.labels('false') };
  const hitChild = cache.labels('hit');
  const missChild = cache.labels('miss');
  const observeDecision: DecisionObserver = (action, decision, cached, elapsedNs) => {
    const key = decision === 'allow' ? action : `${action}\0deny`;
    let c = decisionChildren.get(key);
    if (!c) decisionChildren.set(key, (c = { count: decisions.labels(action, decision) }));
    c.count.inc();
    latencyChild[cached ? 'true' : 'false'].observe(elapsedNs / 1e9);
    lookups++;
    if (cached) {
      hits++;
      hitChild.inc();
    } else missChild.inc();
  };

  const onCommit = (rows: readonly AuditRow[], commitMs: number) => {
    commitLatency.observe(commitMs / 1000);
    committed.inc(rows.length);
    for (const r of rows) {
      try {
        countRow(r);
      } catch {
        // A detail that does not parse is not counted; the audit log is never disturbed.
      }
    }
  };
  const countRow = (r: AuditRow) => {
    const t = r.type;
    if (t === 'ca.issue') {
      if (r.outcome === 'success') issued.inc();
    } else if (t === 'ca.revoke') {
      const serials = (JSON.parse(r.detail) as { serials?: unknown }).serials;
      if (Array.isArray(serials) && serials.length > 0) revoked.inc(serials.length);
    } else if (t === 'analytics.alert') {
      const kind = (JSON.parse(r.detail) as { kind?: unknown }).kind;
      if (typeof kind === 'string' && kind.length <= 64) alerts.labels(kind).inc();
    } else if (t === 'gateway.http.request') {
      const d = JSON.parse(r.detail) as Record<string, unknown>;
      add('http', num(d.bytes), d.coalesced === undefined ? num(d.bytesIn) : 0);
    } else if (t === 'gateway.dicom.association') {
      const d = JSON.parse(r.detail) as Record<string, unknown>;
      add('dicom', num(d.bytesOut), num(d.bytesIn));
    } else if (t === 'gateway.tunnel.close') {
      const d = JSON.parse(r.detail) as Record<string, unknown>;
      add('tunnel', num(d.bytesDown), num(d.bytesUp));
    }
  };
  const add = (gateway: string, toClient: number, fromClient: number) => {
    if (toClient > 0) bytes.labels(gateway, 'to_client').inc(toClient);
    if (fromClient > 0) bytes.labels(gateway, 'from_client').inc(fromClient);
  };

  return {
    registry,
    observeDecision,
    exported: (exporter, records) => exportedRecords.labels(exporter).inc(records),
    attach(s) {
      sources.push(s);
      for (const k of s.alertKinds ?? []) alerts.labels(k).inc(0);
      const off = s.audit?.onCommit(onCommit);
      return () => {
        off?.();
        const i = sources.indexOf(s);
        if (i >= 0) sources.splice(i, 1);
      };
    },
    text: () => registry.metrics(),
  };
}

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);
