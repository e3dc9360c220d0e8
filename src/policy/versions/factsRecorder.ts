// Keeps what each decision was asked (decision_facts, keyed by the decision's audit seq)
// so a proposed set can be replayed against it. Wraps the engine's audit sink: the chain
// itself stores only digests; facts are written in batches off the durable path and a
// full queue drops facts (counted) rather than slowing decisions.
import type { AuditSink } from '../decisionAuditEvent.js';
import { decisionFactsOf } from '../decisionAuditEvent.js';
import type { AuditSearchRepo, DecisionFactsRepo, DecisionFactsRow } from '../../store/index.js';

export interface FactsRecorderOptions {
  repo: Pick<DecisionFactsRepo, 'insertBatch' | 'pruneBefore'>;
  /** With retentionSeconds: facts of decisions older than that are deleted hourly. */
  auditSearch?: Pick<AuditSearchRepo, 'seqAtOrAfter'>;
  retentionSeconds?: number;
  clock?: () => number;
  flushIntervalMs?: number;
  maxBatch?: number;
  /** Facts waiting beyond this are dropped (default 100,000). */
  maxPending?: number;
  /** Facts larger than this (JSON bytes) are not kept (default 32 KiB). */
  maxFactsBytes?: number;
  onError?: (err: unknown) => void;
}

export interface FactsRecorder {
  /** The sink to give the policy engine: appends to `audit`, then queues the facts. */
  wrap(audit: AuditSink): AuditSink;
  flush(): Promise<void>;
  close(): Promise<void>;
  /** Deletes facts older than the retention (also run hourly). */
  prune(): Promise<void>;
  stats(): { recorded: number; dropped: number; pending: number };
}

export function createFactsRecorder(o: FactsRecorderOptions): FactsRecorder {
  const maxBatch = o.maxBatch ?? 2000;
  const maxPending = o.maxPending ?? 100_000;
  const maxBytes = o.maxFactsBytes ?? 32 * 1024;
  let pending: DecisionFactsRow[] = [];
  let recorded = 0;
  let dropped = 0;
  let writing: Promise<void> = Promise.resolve();
  let closed = false;

  const flush = (): Promise<void> => {
    writing = writing.then(async () => {
      while (pending.length > 0) {
        const batch = pending.slice(0, maxBatch);
        pending = pending.slice(batch.length);
        try {
          await o.repo.insertBatch(batch);
          recorded += batch.length;
        } catch (err) {
          dropped += batch.length;
          o.onError?.(err);
        }
      }
    });
    return writing;
  };
  const timer = setInterval(() => void flush(), o.flushIntervalMs ?? 250);
  timer.unref();
  const prune = async () => {
    if (!o.auditSearch || !o.retentionSeconds) return;
    try {
      const before = await o.auditSearch.seqAtOrAfter(new Date((o.clock ?? Date.now)() - o.retentionSeconds * 1000).toISOString());
      await o.repo.pruneBefore(before);
    } catch (err) {
      o.onError?.(err);
    }
  };
  const pruneTimer = setInterval(() => void prune(), 3600_000);
  pruneTimer.unref();

  const push = (seq: number, facts: string) => {
    if (closed || pending.length >= maxPending) {
      dropped++;
      return;
    }
    pending.push({ seq, facts });
    if (pending.length >= maxBatch) void flush();
  };

  return {
    wrap: (audit) => ({
      append(event) {
        const facts = decisionFactsOf(event);
        const p = audit.append(event);
        if (facts) {
          // Serialised now: the inputs are frozen by authorize, but a later flush must not see changes.
          let json: string | undefined;
          try {
            json = JSON.stringify({ a: (event.detail as { action?: unknown } | undefined)?.action, p: facts.principal, r: facts.resource, e: facts.entities, c: facts.context });
          } catch {
            json = undefined;
          }
          if (json === undefined || json.length > maxBytes) dropped++;
          else p.then((receipt) => push(receipt.seq, json), () => undefined);
        }
        return p;
      },
    }),
    flush,
    prune,
    async close() {
      clearInterval(timer);
      clearInterval(pruneTimer);
      await flush();
      closed = true;
    },
    stats: () => ({ recorded, dropped, pending: pending.length }),
  };
}
