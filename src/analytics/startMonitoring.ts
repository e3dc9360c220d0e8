// Starts what the `monitoring` config section enables: the ATNA exporter (its collector and
// spool problems become audit.export.problem events and webhooks) and behavioural analytics.
// FHIR export and the metrics listener are not built yet: enabling them fails loudly.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { createAtnaExporter, type AtnaExporter, type OpenedAuditLog, type SenderProblem, type SpoolProblem } from '../audit/index.js';
import type { Config } from '../config/index.js';
import { RadgateError } from '../errors/index.js';
import type { Logger } from '../log/index.js';
import type { Notifier } from '../notify/index.js';
import type { Store } from '../store/index.js';
import { createAnalytics, type Analytics } from './createAnalytics.js';

export interface Monitoring {
  analytics: Analytics | undefined;
  exporters: { atna: AtnaExporter | undefined };
  close(): Promise<void>;
}

export async function startMonitoring(d: { config: Config; store: Store; audit: OpenedAuditLog; notifier: Notifier; logger: Logger }): Promise<Monitoring> {
  const m = d.config.monitoring;
  if (m.fhir.enabled) throw new RadgateError('config-invalid', 'config: monitoring.fhir.enabled: FHIR AuditEvent export is not implemented yet');
  if (m.metrics.enabled) throw new RadgateError('config-invalid', 'config: monitoring.metrics.enabled: the metrics listener is not implemented yet');
  const file = (f: string) => readFileSync(path.resolve(d.config.paths.home, f));
  const closers: (() => Promise<void>)[] = [];
  let atna: AtnaExporter | undefined;
  let analytics: Analytics | undefined;
  try {
    if (m.atna.enabled) {
      const report = (p: SenderProblem | SpoolProblem) => {
        d.logger.error({ kind: p.kind, detail: p.message }, 'ATNA export problem');
        void d.audit.append({ type: 'audit.export.problem', actor: 'system', outcome: 'alert', detail: { exporter: 'atna', kind: p.kind, reason: p.message } }).catch(() => undefined);
        void d.notifier.send({ type: 'audit.export.problem', exporter: 'atna', kind: p.kind, message: p.message });
      };
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
        onError: (err) => d.logger.error({ err: String(err) }, 'ATNA exporter failed; retrying'),
      });
      closers.push(() => atna!.close());
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
  } catch (err) {
    for (const c of closers.reverse()) await c();
    throw err;
  }
  return {
    analytics,
    exporters: { atna },
    async close() {
      for (const c of closers.reverse()) await c();
    },
  };
}
