// An in-memory audit sink for the CLI's test and explain verbs and for unit tests.
import type { AuditEventInput, AuditReceipt } from '../audit/types.js';
import type { AuditSink } from './decisionAuditEvent.js';

export interface MemoryAuditSink extends AuditSink {
  readonly events: readonly AuditEventInput[];
}

export function createMemoryAuditSink(): MemoryAuditSink {
  const events: AuditEventInput[] = [];
  return {
    events,
    append(event) {
      events.push(event);
      const receipt: AuditReceipt = { seq: events.length, hash: '' };
      return Promise.resolve(receipt);
    },
  };
}
