// The ATNA exporter: audit chain -> PS3.15 A.5 XML -> RFC 5424 message -> on-disk spool ->
// TLS syslog collector. Composition only; each stage lives in its own file.
import { hostname } from 'node:os';
import type { AuditRow, Store } from '../../store/index.js';
import type { OpenedAuditLog } from '../openAuditLog.js';
import { createAuditExporter, type AuditExporter } from './createAuditExporter.js';
import { createSyslogSender, type SenderProblem, type SyslogSender } from './createSyslogSender.js';
import { openSpool, type FsyncPolicy, type Spool, type SpoolProblem } from './openSpool.js';
import { syslogMessage } from './syslogFrame.js';
import { toAtnaMessage, type AtnaSource } from './toAtnaXml.js';

export interface AtnaExporterOptions {
  store: Pick<Store, 'audit' | 'monitoring'>;
  audit?: Pick<OpenedAuditLog, 'onCommit'>;
  spoolDir: string;
  fsync?: FsyncPolicy;
  collector: { host: string; port: number; ca: string | Buffer; servername?: string; cert?: string | Buffer; key?: string | Buffer };
  source?: Partial<AtnaSource>;
  /** Cursor name in export_cursors (default "atna"). */
  name?: string;
  settleMs?: number;
  minBackoffMs?: number;
  maxBackoffMs?: number;
  pollMs?: number;
  startAt?: 'beginning' | 'head';
  onProblem?: (p: SenderProblem | SpoolProblem) => void;
  onRecovered?: () => void;
  onSent?: (records: number, bytes: number) => void;
  onError?: (err: unknown) => void;
}

export interface AtnaExporter {
  readonly exporter: AuditExporter;
  readonly spool: Spool;
  readonly sender: SyslogSender;
  /** Records spooled and not yet acknowledged, and how far (in seq) delivery trails the spool. */
  status(): { spoolDepth: number; cursor: number; spooledSeq: number; ackedSeq: number; connected: boolean };
  close(): Promise<void>;
}

/** The spool payloads of a batch: one RFC 5424 message per exported row. */
export function atnaSyslogRecords(rows: readonly AuditRow[], source: AtnaSource, header: { hostname: string; appName: string; procId: string }): { seq: number; payload: Buffer }[] {
  const out: { seq: number; payload: Buffer }[] = [];
  for (const row of rows) {
    const m = toAtnaMessage(row, source);
    if (!m) continue;
    out.push({ seq: row.seq, payload: Buffer.from(syslogMessage(header, { severity: m.severity, time: row.time, seq: row.seq, msg: m.xml }), 'utf8') });
  }
  return out;
}

export async function createAtnaExporter(o: AtnaExporterOptions): Promise<AtnaExporter> {
  const host = hostname();
  const source: AtnaSource = { sourceId: o.source?.sourceId ?? host, ...(o.source?.siteId ? { siteId: o.source.siteId } : {}) };
  const header = { hostname: host, appName: 'radgate', procId: String(process.pid) };
  const spool = await openSpool({ dir: o.spoolDir, fsync: o.fsync ?? 'always', onProblem: (p) => o.onProblem?.(p) });
  const sender = createSyslogSender({
    ...o.collector,
    spool,
    ...(o.settleMs !== undefined ? { settleMs: o.settleMs } : {}),
    ...(o.minBackoffMs !== undefined ? { minBackoffMs: o.minBackoffMs } : {}),
    ...(o.maxBackoffMs !== undefined ? { maxBackoffMs: o.maxBackoffMs } : {}),
    onProblem: (p) => o.onProblem?.(p),
    ...(o.onRecovered ? { onRecovered: o.onRecovered } : {}),
    ...(o.onSent ? { onSent: o.onSent } : {}),
  });
  const exporter = await createAuditExporter({
    name: o.name ?? 'atna',
    store: o.store,
    ...(o.audit ? { audit: o.audit } : {}),
    ...(o.pollMs !== undefined ? { pollMs: o.pollMs } : {}),
    ...(o.startAt ? { startAt: o.startAt } : {}),
    ...(o.onError ? { onError: o.onError } : {}),
    sink: {
      async deliver(rows) {
        await spool.append(atnaSyslogRecords(rows, source, header));
        sender.notify();
      },
    },
  });
  return {
    exporter,
    spool,
    sender,
    status: () => ({ spoolDepth: spool.depth(), cursor: exporter.cursor(), spooledSeq: spool.lastAppendedSeq(), ackedSeq: spool.lastAckedSeq(), connected: sender.stats().connected }),
    async close() {
      await exporter.close();
      await sender.close();
      await spool.close();
    },
  };
}
