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
