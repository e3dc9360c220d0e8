// The audit log's contract: what every gate appends and what it gets back.

export type AuditOutcome = 'success' | 'failure' | 'allow' | 'deny' | 'alert' | 'error';

export interface AuditEventInput {
  /** Dotted event type, e.g. `decision`, `ca.issue`, `identity.login`, `gateway.http.request`. */
  type: string;
  /** Who acted: an entity uid such as `Radgate::User::"u1"`, or `system`. */
  actor: string;
  outcome: AuditOutcome;
  /** JSON-serialisable detail; never secrets. */
  detail?: Record<string, unknown>;
  /** Defaults to the log's clock. */
  time?: Date;
}

export interface AuditReceipt {
  seq: number;
  hash: string;
}

export interface AuditLog {
  /**
   * Appends one event. Resolves only after the event's transaction committed with
   * synchronous=FULL; concurrent appends share one transaction (group commit).
   */
  append(event: AuditEventInput): Promise<AuditReceipt>;
  /** Resolves once everything appended so far is durable. */
  flush(): Promise<void>;
  /** Flushes, writes a final checkpoint and stops timers. */
  close(): Promise<void>;
}

/** The chain head: the last durable event (seq 0 and the genesis hash when empty). */
export interface AuditHead {
  seq: number;
  hash: string;
}

/** Counters since the log was opened (metrics, tests). */
export interface AuditStats {
  /** Events committed. */
  committed: number;
  /** Transactions that committed events. */
  batches: number;
  /** Transactions that failed; their events were rejected to their callers. */
  failedBatches: number;
  checkpoints: number;
  /** Events accepted and not yet committed. */
  pending: number;
}

/** Stable problem codes of `verifyAuditChain`. */
export type AuditChainProblem =
  /** An event's content does not hash to its stored hash: it was edited. */
  | 'event-hash-mismatch'
  /** A seq is missing: an event was deleted. */
  | 'seq-gap'
  /** An event does not link to its predecessor: events were deleted and renumbered, or inserted. */
  | 'prev-hash-mismatch'
  /** Events are present but out of order. */
  | 'reordered'
  /** A stored detail is not canonical JSON, so independent verifiers would disagree. */
  | 'detail-not-canonical'
  /** The chain ends before the last checkpoint's seq: its tail was cut off. */
  | 'truncated'
  /** A checkpoint's hash differs from the event at its seq: the chain was rewritten. */
  | 'checkpoint-mismatch'
  | 'checkpoint-signature-invalid'
  /** A checkpoint names a key that was not given to the verifier. */
  | 'checkpoint-key-unknown';

export interface AuditVerifyResult {
  ok: boolean;
  /** Events that verified (all of them when ok). */
  events: number;
  /** Seq of the last event that verified (0 when none). */
  lastSeq: number;
  /** Hash of the last event that verified (genesis hash when none). */
  lastHash: string;
  /** Checkpoints present, and how many of them were matched against the chain. */
  checkpoints: number;
  checkpointsMatched: number;
  /** Seq of the newest checkpoint, 0 when there is none. */
  lastCheckpointSeq: number;
  /** Events after the newest checkpoint: a truncation there cannot be detected. */
  unanchored: number;
  firstBadSeq?: number;
  problem?: AuditChainProblem;
  /** One sentence naming what is wrong (no event content). */
  message?: string;
}
