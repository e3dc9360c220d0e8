// The audit record of one decision, and the deferred append that makes it durable.
import { digestContext, type AuditEventInput, type AuditLog, type AuditReceipt } from '../audit/index.js';
import { wrapError } from '../errors/index.js';
import type { DecisionError, EntityRef } from './types.js';

/** Only `append` is needed; the CLI passes an in-memory sink. */
export type AuditSink = Pick<AuditLog, 'append'>;

export interface DecisionRecord {
  principal: EntityRef;
  action: string;
  resource: EntityRef;
  context: unknown;
  decision: 'allow' | 'deny';
  policyIds: readonly string[];
  reasons: readonly string[];
  errors: readonly DecisionError[];
  cached: boolean;
  policyVersion: string | null;
}

/** `Radgate::User::"u1"`: Cedar's uid syntax. */
export function uidString(uid: EntityRef): string {
  return `${uid.type}::${JSON.stringify(uid.id)}`;
}

/** SHA-256 over the RFC 8785 canonical JSON of the context (the audit module's digest). */
export function contextDigest(context: unknown): string {
  return digestContext(context ?? {});
}

export function decisionAuditEvent(r: DecisionRecord): AuditEventInput {
  const detail: Record<string, unknown> = {
    action: r.action,
    resource: uidString(r.resource),
    policyIds: [...r.policyIds],
    reasons: [...r.reasons],
    context: contextDigest(r.context),
    cached: r.cached,
    policyVersion: r.policyVersion,
  };
  if (r.errors.length > 0) detail.errors = r.errors.map((e) => (e.policyId ? `${e.policyId}: ${e.message}` : e.message).slice(0, 500));
  return { type: 'decision', actor: uidString(r.principal), outcome: r.decision, detail };
}

const noop = (): void => {};


/**
 * Builds and appends the event in a microtask, so authorize returns in microseconds; the
 * caller holds data until the returned promise resolves. The promise is pre-handled so a
 * caller that ignores it (a deny) cannot crash the process with an unhandled rejection.
 */
export function appendDeferred(audit: AuditSink, record: DecisionRecord): Promise<AuditReceipt> {
  const p = new Promise<AuditReceipt>((resolve, reject) => {
    queueMicrotask(() => {
      try {
        audit.append(decisionAuditEvent(record)).then(resolve, (err: unknown) => reject(wrapError('audit-unavailable', 'decision audit failed', err)));
      } catch (err) {
        reject(wrapError('audit-unavailable', 'decision audit failed', err));
      }
    });
  });
  p.catch(noop);
  return p;
}
