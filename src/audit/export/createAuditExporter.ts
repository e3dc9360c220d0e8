// Follows the audit chain from a named cursor (export_cursors) and hands each batch of
// committed rows to a sink; the cursor moves only after the sink made the batch durable
// (spooled, written, or accepted by the endpoint), so a crash re-exports, never skips.
import type { AuditRow, Store } from '../../store/index.js';
import type { OpenedAuditLog } from '../openAuditLog.js';

export interface ExportSink {
  /** Makes `rows` durable downstream (or throws: the batch is retried). */
  deliver(rows: readonly AuditRow[]): Promise<void>;
  close?(): Promise<void>;
}

export interface AuditExporterOptions {
  name: string;
  store: Pick<Store, 'audit' | 'monitoring'>;
  /** Wakes the exporter on every commit (else it polls). */
  audit?: Pick<OpenedAuditLog, 'onCommit'>;
  sink: ExportSink;
  batch?: number;
  pollMs?: number;
  /** Where a new cursor starts: after seq 0 (everything, default) or at the current head. */
  startAt?: 'beginning' | 'head';
  onError?: (err: unknown) => void;
  now?: () => number;
}

export interface AuditExporter {
  readonly name: string;
  /** Last seq handed to the sink. */
  cursor(): number;
  /** Resolves once every row committed before the call has been delivered to the sink. */
  drain(): Promise<void>;
  close(): Promise<void>;
}

export async function createAuditExporter(o: AuditExporterOptions): Promise<AuditExporter> {
  const batch = o.batch ?? 500;
  const pollMs = o.pollMs ?? 1000;
  const now = o.now ?? Date.now;
  const stored = await o.store.monitoring.getCursor(o.name);
  let cursor = stored ?? (o.startAt === 'head' ? ((await o.store.audit.head())?.seq ?? 0) : 0);
  if (stored === undefined) await o.store.monitoring.setCursor(o.name, cursor, now());
  let running = true;
  let wake: (() => void) | undefined;
  let failures = 0;
  const drainers: { target: number; resolve: () => void }[] = [];
  let headSeen = cursor;
  const unsubscribe = o.audit?.onCommit((rows) => {
    headSeen = Math.max(headSeen, rows[rows.length - 1]!.seq);
    // A commit ends an idle wait, never a failure back-off (that would retry on every commit).
    if (failures === 0) wake?.();
  });
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        wake = undefined;
        resolve();
      }
      wake = done;
    });

  const loop = async () => {
    while (running) {
      let rows: AuditRow[];
      try {
        rows = await o.store.audit.query({ afterSeq: cursor, order: 'asc', limit: batch });
        if (rows.length > 0) {
          await o.sink.deliver(rows);
          cursor = rows[rows.length - 1]!.seq;
          await o.store.monitoring.setCursor(o.name, cursor, now());
        }
        failures = 0;
      } catch (err) {
        failures++;
        o.onError?.(err);
        if (!running) break;
        await sleep(Math.min(30_000, 250 * 2 ** Math.min(failures, 7)));
        continue;
      }
      while (drainers.length > 0 && drainers[0]!.target <= cursor) drainers.shift()!.resolve();
      if (rows.length < batch && headSeen <= cursor && drainers.length === 0) await sleep(pollMs);
    }
  };
  const done = loop();

  return {
    name: o.name,
    cursor: () => cursor,
    async drain() {
      const target = (await o.store.audit.head())?.seq ?? 0;
      if (target <= cursor) return;
      await new Promise<void>((resolve) => {
        drainers.push({ target, resolve });
        wake?.();
      });
    },
    async close() {
      running = false;
      unsubscribe?.();
      wake?.();
      await done;
      for (const d of drainers.splice(0)) d.resolve();
      await o.sink.close?.();
    },
  };
}
