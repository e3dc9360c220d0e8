// The audit log's single writer: group commit, hash chaining and signed checkpoints.
// An append resolves only after its transaction is durable; a failed commit rejects its
// whole batch and leaves the in-memory head where the database is.
import type { KeyObject } from 'node:crypto';
import { RadgateError, wrapError } from '../errors/index.js';
import type { AuditRepo, AuditRow, Store } from '../store/index.js';
import { loadOrCreateCheckpointKey, type CheckpointKey } from './checkpointKey.js';
import { GENESIS_HASH, hashEvent } from './hashEvent.js';
import { prepareEvent, type PreparedEvent } from './prepareEvent.js';
import { signCheckpoint, type SignedCheckpoint } from './signCheckpoint.js';
import type { AuditEventInput, AuditHead, AuditLog, AuditReceipt, AuditStats } from './types.js';

export interface AuditScheduler {
  /** Calls `fn` every `ms` milliseconds until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

export interface OpenAuditLogOptions {
  store: Pick<Store, 'audit'>;
  /** Directory of `audit-checkpoint.key` / `.pub` (config.paths.home). */
  home: string;
  /** Checkpoint the head once this many events were committed since the last one. */
  checkpointEvery: number;
  /** Checkpoint the head this often when there were new events; 0 turns the timer off. */
  checkpointIntervalSeconds: number;
  /** Event and checkpoint times; defaults to the wall clock. */
  clock?: () => Date;
  /** Drives the checkpoint timer; defaults to an unref'd setInterval. */
  scheduler?: AuditScheduler;
  /** Told about every failed commit or checkpoint (callers of append are told too). */
  onError?: (err: RadgateError) => void;
  /** Most events in one transaction (default 1024). */
  maxBatch?: number;
  /** Appends waiting beyond this are refused with `audit-unavailable` (default 100,000). */
  maxPending?: number;
}

export interface OpenedAuditLog extends AuditLog {
  /** The last durable event. */
  head(): AuditHead;
  /** Signs and stores a checkpoint of the head now (undefined when nothing is new). */
  checkpoint(): Promise<SignedCheckpoint | undefined>;
  stats(): AuditStats;
  /**
   * Calls `listener` after every committed batch with its rows (in seq order) and the commit's
   * duration in ms: exporters, analytics and metrics follow the chain without polling.
   * Listeners run synchronously after the callers were resolved; keep them cheap and non-throwing.
   */
  onCommit(listener: CommitListener): () => void;
  readonly keyId: string;
  readonly publicKey: KeyObject;
}

export type CommitListener = (rows: readonly AuditRow[], commitMs: number) => void;

interface Pending {
  event: PreparedEvent;
  resolve: (r: AuditReceipt) => void;
  reject: (e: unknown) => void;
}

interface Waiter<T> {
  resolve: (v: T) => void;
  reject: (e: unknown) => void;
}

// One writer per store in this process: a second one would fork the chain.
const writers = new WeakSet<AuditRepo>();

const defaultScheduler: AuditScheduler = {
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref();
    return () => clearInterval(t);
  },
};

export async function openAuditLog(options: OpenAuditLogOptions): Promise<OpenedAuditLog> {
  const repo = options.store.audit;
  const clock = options.clock ?? (() => new Date());
  const onError = options.onError ?? ((err: RadgateError) => process.emitWarning(`${err.code}: ${err.message}${err.detail ? ` (${err.detail})` : ''}`));
  const every = options.checkpointEvery;
  const maxBatch = options.maxBatch ?? 1024;
  const maxPending = options.maxPending ?? 100_000;
  if (!Number.isInteger(every) || every < 1) throw new RadgateError('config-invalid', 'audit.checkpointEvery must be a positive integer');
  if (writers.has(repo)) throw new RadgateError('conflict', 'the audit log already has a writer in this process');

  writers.add(repo);
  let key: CheckpointKey;
  let head: AuditHead;
  let lastCheckpointSeq: number;
  try {
    key = loadOrCreateCheckpointKey(options.home);
    ({ head, lastCheckpointSeq } = await readHead(repo));
  } catch (err) {
    writers.delete(repo);
    throw err;
  }

  let queue: Pending[] = [];
  let checkpointWaiters: Waiter<SignedCheckpoint | undefined>[] = [];
  const flushWaiters: { target: number; resolve: () => void }[] = [];
  let accepted = 0;
  let settled = 0;
  let scheduled = false;
  let committing = false;
  let resync = false;
  let closed = false;
  let closing: Promise<void> | undefined;
  const stats: AuditStats = { committed: 0, batches: 0, failedBatches: 0, checkpoints: 0, pending: 0 };
  const commitListeners = new Set<CommitListener>();

  const schedule = () => {
    if (scheduled || committing) return;
    scheduled = true;
    // setImmediate, not a microtask: every append made in this turn joins the batch.
    setImmediate(runBatch);
  };

  const runBatch = async () => {
    scheduled = false;
    if (committing || (queue.length === 0 && checkpointWaiters.length === 0)) return;
    committing = true;
    let batch = queue;
    if (batch.length > maxBatch) {
      batch = queue.slice(0, maxBatch);
      queue = queue.slice(maxBatch);
    } else {
      queue = [];
    }
    const cpWaiters = checkpointWaiters;
    checkpointWaiters = [];
    try {
      await commit(batch, cpWaiters);
    } finally {
      committing = false;
      settled += batch.length;
      while (flushWaiters.length > 0 && flushWaiters[0]!.target <= settled) flushWaiters.shift()!.resolve();
      if (queue.length > 0 || checkpointWaiters.length > 0) schedule();
    }
  };

  const commit = async (batch: Pending[], cpWaiters: Waiter<SignedCheckpoint | undefined>[]) => {
    for (let attempt = 1; ; attempt++) {
      try {
        if (resync) ({ head, lastCheckpointSeq } = await readHead(repo));
        let seq = head.seq;
        let prevHash = head.hash;
        const rows: AuditRow[] = new Array(batch.length);
        for (let i = 0; i < batch.length; i++) {
          const e = batch[i]!.event;
          seq++;
          const hash = hashEvent({ seq, time: e.time, type: e.type, actor: e.actor, outcome: e.outcome, detail: e.detail, prevHash });
          rows[i] = { seq, time: e.time, type: e.type, actor: e.actor, outcome: e.outcome, detail: e.detail, prevHash, hash };
          prevHash = hash;
        }
        const next: AuditHead = { seq, hash: prevHash };
        const due = next.seq > lastCheckpointSeq && (cpWaiters.length > 0 || next.seq - lastCheckpointSeq >= every);
        const cp = due ? signCheckpoint(next, clock(), key) : undefined;
        // The checkpoint rides in the batch's transaction: no extra fsync, never ahead of its events.
        const started = commitListeners.size > 0 ? performance.now() : 0;
        if (rows.length > 0) await repo.appendBatch(rows, cp);
        else if (cp) await repo.insertCheckpoint(cp);
        head = next;
        resync = false;
        if (rows.length > 0) {
          stats.batches++;
          stats.committed += rows.length;
        }
        if (cp) {
          lastCheckpointSeq = cp.seq;
          stats.checkpoints++;
        }
        for (let i = 0; i < batch.length; i++) batch[i]!.resolve({ seq: rows[i]!.seq, hash: rows[i]!.hash });
        for (const w of cpWaiters) w.resolve(cp);
        if (rows.length > 0 && commitListeners.size > 0) {
          const ms = performance.now() - started;
          for (const l of commitListeners) {
            try {
              l(rows, ms);
            } catch {
              // A listener's failure is its own; the commit stands.
            }
          }
        }
        return;
      } catch (cause) {
        // The head stays put; the next batch re-reads it, in case the commit did land.
        resync = true;
        // Another writer (a second process on this database) took these seqs; nothing of this
        // batch was written, so chain it after that writer's head instead, once.
        if (attempt === 1 && isSeqTaken(cause)) continue;
        if (batch.length > 0) stats.failedBatches++;
        const err = wrapError('audit-unavailable', 'audit log: commit failed, the events were not recorded', cause);
        for (const p of batch) p.reject(err);
        for (const w of cpWaiters) w.reject(err);
        onError(err);
        return;
      }
    }
  };

  const requestCheckpoint = () =>
    new Promise<SignedCheckpoint | undefined>((resolve, reject) => {
      checkpointWaiters.push({ resolve, reject });
      schedule();
    });

  const flush = () => {
    const target = accepted;
    if (settled >= target) return Promise.resolve();
    return new Promise<void>((resolve) => flushWaiters.push({ target, resolve }));
  };

  const intervalMs = options.checkpointIntervalSeconds * 1000;
  const stopTimer =
    intervalMs > 0
      ? (options.scheduler ?? defaultScheduler).every(intervalMs, () => {
          // Only when there were new events; a failure already went to onError.
          if (!closed && head.seq > lastCheckpointSeq && checkpointWaiters.length === 0) requestCheckpoint().catch(() => {});
        })
      : () => {};

  return {
    keyId: key.keyId,
    publicKey: key.publicKey,
    append(event: AuditEventInput): Promise<AuditReceipt> {
      if (closed) return Promise.reject(new RadgateError('audit-unavailable', 'the audit log is closed'));
      let prepared: PreparedEvent;
      try {
        prepared = prepareEvent(event, clock);
      } catch (err) {
        return Promise.reject(err);
      }
      if (accepted - settled >= maxPending) {
        return Promise.reject(new RadgateError('audit-unavailable', 'the audit log is overloaded', { detail: `${maxPending} appends pending` }));
      }
      return new Promise<AuditReceipt>((resolve, reject) => {
        queue.push({ event: prepared, resolve, reject });
        accepted++;
        schedule();
      });
    },
    flush,
    checkpoint: requestCheckpoint,
    head: () => ({ ...head }),
    stats: () => ({ ...stats, pending: accepted - settled }),
    onCommit(listener) {
      commitListeners.add(listener);
      return () => void commitListeners.delete(listener);
    },
    close() {
      if (closing) return closing;
      closed = true;
      stopTimer();
      closing = (async () => {
        try {
          await flush();
          await requestCheckpoint();
        } finally {
          writers.delete(repo);
        }
      })();
      return closing;
    },
  };
}

function isSeqTaken(err: unknown): boolean {
  for (let e = err; e instanceof Error; e = e.cause) {
    if ((e as { code?: unknown }).code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return true;
  }
  return false;
}

/**
 * Reads the chain head to continue from it. Refuses a head that is behind, or differs
 * from, the last signed checkpoint: that chain was cut or rewritten, and writing on would
 * bury the evidence under new events.
 */
async function readHead(repo: AuditRepo): Promise<{ head: AuditHead; lastCheckpointSeq: number }> {
  const [row, cp] = await Promise.all([repo.head(), repo.lastCheckpoint()]);
  const head: AuditHead = row ? { seq: row.seq, hash: row.hash } : { seq: 0, hash: GENESIS_HASH };
  if (cp) {
    const at = cp.seq === head.seq ? row : (await repo.query({ afterSeq: cp.seq - 1, order: 'asc', limit: 1 }))[0];
    if (!at || at.seq !== cp.seq || at.hash !== cp.hash) {
      throw new RadgateError('audit-chain-broken', `the audit chain does not reach its last checkpoint (seq ${cp.seq}); run "radgate audit verify"`, {
        detail: `head seq ${head.seq}`,
      });
    }
  }
  return { head, lastCheckpointSeq: cp?.seq ?? 0 };
}
