// Starts what the `monitoring` config section enables: the ATNA and FHIR exporters (their
// delivery problems become audit.export.problem events and webhooks), behavioural analytics,
// and the Prometheus /metrics listener fed by all of them.
import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { createAtnaExporter, type AtnaExporter, type OpenedAuditLog, type SenderProblem, type SpoolProblem } from '../audit/index.js';
import { createFhirExporter, type FhirExporter, type FhirProblem } from '../audit/export/index.js';
import type { Config } from '../config/index.js';
import type { Logger } from '../log/index.js';
import { createMetrics, startMetricsServer, type ExportStatus, type Metrics, type MetricsServer, type MetricsSources } from '../metrics/index.js';
import type { Notifier } from '../notify/index.js';
import type { Store } from '../store/index.js';
import { createAnalytics, type Analytics } from './createAnalytics.js';
import { ALERT_KINDS } from './types.js';

export interface Monitoring {
  analytics: Analytics | undefined;
  exporters: { atna: AtnaExporter | undefined; fhir: FhirExporter | undefined };
  /** The metrics registry and its /metrics listener (monitoring.metrics.enabled). */
  metrics: { metrics: Metrics; server: MetricsServer } | undefined;
  close(): Promise<void>;
}

export interface MonitoringDeps {
  config: Config;
  store: Store;
  audit: OpenedAuditLog;
  notifier: Notifier;
  logger: Logger;
  /** The registry whose observer the policy engine was built with (else one is made here, without decision metrics). */
  metrics?: Metrics;
  /** Read at scrape time for live sessions per gateway. */
  liveSessions?: MetricsSources['liveSessions'];
}

export async function startMonitoring(d: MonitoringDeps): Promise<Monitoring> {
  const m = d.config.monitoring;
  const file = (f: string) => readFileSync(path.resolve(d.config.paths.home, f));
  const closers: (() => Promise<void>)[] = [];
  let atna: AtnaExporter | undefined;
  let fhir: FhirExporter | undefined;
  let analytics: Analytics | undefined;
  let metrics: Monitoring['metrics'];
  const reporter = (exporter: string, label: string) => (p: { kind: string; message: string }) => {
    d.logger.error({ kind: p.kind, detail: p.message }, `${label} export problem`);
    void d.audit.append({ type: 'audit.export.problem', actor: 'system', outcome: 'alert', detail: { exporter, kind: p.kind, reason: p.message } }).catch(() => undefined);
    void d.notifier.send({ type: 'audit.export.problem', exporter, kind: p.kind, message: p.message });
  };
  try {
    const registry = m.metrics.enabled ? (d.metrics ?? createMetrics()) : undefined;
    if (m.atna.enabled) {
      const report: (p: SenderProblem | SpoolProblem) => void = reporter('atna', 'ATNA');
      atna = await createAtnaExporter({
        store: d.store,
        audit: d.audit,
        spoolDir: path.resolve(d.config.paths.home, m.atna.spoolDir),
        fsync: m.atna.fsync,
        startAt: m.atna.startAt,
        collector: {
          host: m.atna.host,
          port: m.atna.port,
          ca: file(m.atna.caFile!),
          ...(m.atna.servername ? { servername: m.atna.servername } : {}),
          ...(m.atna.clientCertFile && m.atna.clientKeyFile ? { cert: file(m.atna.clientCertFile), key: file(m.atna.clientKeyFile) } : {}),
        },
        source: { ...(m.atna.sourceId ? { sourceId: m.atna.sourceId } : {}), ...(m.atna.siteId ? { siteId: m.atna.siteId } : {}) },
        onProblem: report,
        onRecovered: () => d.logger.info('ATNA export recovered'),
        ...(registry ? { onSent: (records: number) => registry.exported('atna', records) } : {}),
        onError: (err) => d.logger.error({ err: String(err) }, 'ATNA exporter failed; retrying'),
      });
      closers.push(() => atna!.close());
    }
    if (m.fhir.enabled) {
      const f = m.fhir;
      const report: (p: FhirProblem) => void = reporter('fhir', 'FHIR');
      fhir = await createFhirExporter({
        store: d.store,
        audit: d.audit,
        source: { sourceId: f.sourceId ?? m.atna.sourceId ?? hostname(), ...((f.siteId ?? m.atna.siteId) ? { siteId: (f.siteId ?? m.atna.siteId)! } : {}) },
        target: f.ndjsonFile
          ? { kind: 'ndjson', file: path.resolve(d.config.paths.home, f.ndjsonFile) }
          : {
              kind: 'http',
              endpoint: f.endpoint!,
              timeoutMs: f.timeout * 1000,
              ...(f.caFile ? { ca: file(f.caFile) } : {}),
              ...(f.bearerTokenFile ? { bearerToken: file(f.bearerTokenFile).toString('utf8').trim() } : {}),
            },
        batch: f.batch,
        startAt: f.startAt,
        onProblem: report,
        onRecovered: () => d.logger.info('FHIR export recovered'),
        onError: (err) => d.logger.error({ err: String(err) }, 'FHIR exporter failed; retrying'),
        ...(registry ? { onDelivered: (resources: number) => registry.exported('fhir', resources) } : {}),
      });
      closers.push(() => fhir!.close());
    }
    if (m.analytics.enabled) {
      analytics = await createAnalytics({
        store: d.store,
        audit: d.audit,
        notifier: d.notifier,
        riskHalfLifeHours: m.analytics.riskHalfLife / 3600,
        settings: {
          ...(m.analytics.utcOffsetMinutes !== undefined ? { utcOffsetMinutes: m.analytics.utcOffsetMinutes } : {}),
          warmupDays: m.analytics.warmupDays,
          volumeFloorBytes: m.analytics.volumeFloorBytes,
          snoopingFloorPatients: m.analytics.snoopingFloorPatients,
          authBurstFloor: m.analytics.authBurstFloor,
        },
        onError: (err) => d.logger.error({ err: String(err) }, 'analytics failed; retrying'),
      });
      closers.push(() => analytics!.close());
    }
    if (registry) {
      const exports = (): ExportStatus[] => {
        const head = d.audit.head().seq;
        const out: ExportStatus[] = [];
        if (atna) {
          const s = atna.status();
          // With records spooled, delivery trails at the last acknowledged seq; else at the cursor.
          out.push({ exporter: 'atna', spoolDepth: s.spoolDepth, lagEvents: Math.max(0, head - (s.spoolDepth > 0 ? s.ackedSeq : s.cursor)) });
        }
        if (fhir) out.push({ exporter: 'fhir', spoolDepth: 0, lagEvents: Math.max(0, head - fhir.status().cursor) });
        return out;
      };
      const detach = registry.attach({ audit: d.audit, exports, alertKinds: ALERT_KINDS, ...(d.liveSessions ? { liveSessions: d.liveSessions } : {}) });
      closers.push(async () => detach());
      const server = await startMetricsServer({ metrics: registry, host: m.metrics.listen.host, port: m.metrics.listen.port, warn: (msg) => d.logger.warn(msg) });
      closers.push(() => server.close());
      metrics = { metrics: registry, server };
      d.logger.info({ url: server.url }, 'metrics listener started');
    }
  } catch (err) {
    for (const c of closers.reverse()) await c();
    throw err;
  }
  return {
    analytics,
    exporters: { atna, fhir },
    metrics,
    async close() {
      for (const c of closers.reverse()) await c();
    },
  };
}
