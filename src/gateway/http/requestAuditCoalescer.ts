// Coalesces the gateway's per-request audit records: a viewer fetching the frames of one
// study sends hundreds of requests in seconds. The first request of a (login session,
// study, action) writes its record at once; repeats inside the window are summed and
// written as one `coalesced` record when the window closes. Each request's policy
// decision is still its own audit event (the decision path writes one per call), so
// nothing is hidden, only summarised. Failures and denials are never coalesced.
import type { AuditEventInput } from '../../audit/index.js';

export interface RequestAuditRecord {
  key: string | null;
  event: AuditEventInput & { detail: Record<string, unknown> };
}

interface Window {
  timer: NodeJS.Timeout;
  first: AuditEventInput & { detail: Record<string, unknown> };
  count: number;
  bytes: number;
  statuses: Record<string, number>;
  durationMs: number;
  decisionSeqs: number[];
  filtered: { passed: number; withheld: number };
}

export interface RequestAuditCoalescer {
  record(r: RequestAuditRecord): void;
  /** Writes every open window now (shutdown). */
  flush(): void;
  readonly open: number;
}

export function createRequestAuditCoalescer(o: { windowMs: number; write: (e: AuditEventInput) => void; maxOpen?: number }): RequestAuditCoalescer {
  const windows = new Map<string, Window>();
  const maxOpen = o.maxOpen ?? 10_000;

  const close = (key: string) => {
    const w = windows.get(key);
    if (!w) return;
    windows.delete(key);
    clearTimeout(w.timer);
    if (w.count === 0) return;
    o.write({
      ...w.first,
      detail: {
        ...w.first.detail,
        coalesced: w.count,
        bytes: w.bytes,
        statuses: w.statuses,
        durationMs: w.durationMs,
        decisionSeqs: w.decisionSeqs.slice(0, 1000),
        ...(w.first.detail.filtered ? { filtered: w.filtered } : {}),
        windowMs: o.windowMs,
      },
    });
  };

  return {
    record({ key, event }) {
      if (key === null || o.windowMs <= 0 || event.outcome !== 'success') {
        o.write(event);
        return;
      }
      const w = windows.get(key);
      if (!w) {
        o.write(event);
        if (windows.size >= maxOpen) close(windows.keys().next().value!);
        windows.set(key, { timer: setTimeout(() => close(key), o.windowMs).unref(), first: event, count: 0, bytes: 0, statuses: {}, durationMs: 0, decisionSeqs: [], filtered: { passed: 0, withheld: 0 } });
        return;
      }
      const d = event.detail;
      w.count++;
      w.bytes += typeof d.bytes === 'number' ? d.bytes : 0;
      w.durationMs += typeof d.durationMs === 'number' ? d.durationMs : 0;
      const s = String(d.status);
      w.statuses[s] = (w.statuses[s] ?? 0) + 1;
      if (typeof d.decisionSeq === 'number') w.decisionSeqs.push(d.decisionSeq);
      const f = d.filtered as { passed?: number; withheld?: number } | undefined;
      if (f) {
        w.filtered.passed += f.passed ?? 0;
        w.filtered.withheld += f.withheld ?? 0;
      }
    },
    flush() {
      for (const key of [...windows.keys()]) close(key);
    },
    get open() {
      return windows.size;
    },
  };
}
