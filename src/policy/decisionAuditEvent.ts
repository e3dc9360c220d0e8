// The audit record of one decision, and the deferred append that makes it durable.
import { digestContext, type AuditEventInput, type AuditLog, type AuditReceipt } from '../audit/index.js';
import { wrapError } from '../errors/index.js';
import type { DecisionError, EntityDescription, EntityRef } from './types.js';

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
  /** The request as authorize() saw it, for replay (impact preview); never part of the hashed detail. */
  facts?: DecisionFacts;
}

/** What one decision was asked: enough to decide it again under another policy set. */
export interface DecisionFacts {
  principal: EntityDescription;
  resource: EntityDescription;
  entities?: readonly EntityDescription[];
  context: unknown;
}

/**
 * The facts ride on the audit event as a non-enumerable property under this symbol: the
 * audit chain stores only the digests, and a facts recorder (decision_facts table) picks
 * them up beside the chain.
 */
export const DECISION_FACTS: unique symbol = Symbol.for('radgate.decisionFacts');

export function decisionFactsOf(event: AuditEventInput): DecisionFacts | undefined {
  return (event as { [DECISION_FACTS]?: DecisionFacts })[DECISION_FACTS];
}

/** A sink that records nothing (what-if replays): authorize() then skips building the event. */
export const NO_AUDIT: AuditSink = Object.freeze({ append: () => Promise.resolve({ seq: 0, hash: '' }) });
const NO_RECEIPT: Promise<AuditReceipt> = Promise.resolve({ seq: 0, hash: '' });

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
  const event: AuditEventInput = { type: 'decision', actor: uidString(r.principal), outcome: r.decision, detail };
  if (r.facts) Object.defineProperty(event, DECISION_FACTS, { value: r.facts, enumerable: false });
  return event;
}

const noop = (): void => {};

/**
 * Builds and appends the event in a microtask, so authorize returns in microseconds; the
 * caller holds data until the returned promise resolves. The promise is pre-handled so a
 * caller that ignores it (a deny) cannot crash the process with an unhandled rejection.
 */
export function appendDeferred(audit: AuditSink, record: DecisionRecord): Promise<AuditReceipt> {
  if (audit === NO_AUDIT) return NO_RECEIPT;
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
