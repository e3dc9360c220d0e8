// Audit records of the DIMSE gateway, with the DICOM PS3.15 A.5 / IHE ATNA event codes
// an exporter maps them to: 110108 Network Entry (association), 110112 Query (C-FIND),
// 110102 Begin Transferring (C-GET/C-MOVE), 110104 Instances Transferred (each C-STORE).
import type { AuditLog, AuditOutcome } from '../../audit/index.js';
import type { Logger } from '../../log/index.js';
import type { DicomService } from './classifySopClass.js';

export const ATNA_EVENT = {
  networkEntry: '110108',
  query: '110112',
  beginTransferring: '110102',
  instancesTransferred: '110104',
  applicationActivity: '110100',
} as const;

/** ATNA EventOutcomeIndicator: 0 success, 4 minor, 8 serious, 12 major failure. */
export function atnaOutcome(outcome: AuditOutcome): 0 | 4 | 8 | 12 {
  if (outcome === 'success' || outcome === 'allow') return 0;
  if (outcome === 'deny') return 4;
  if (outcome === 'failure') return 8;
  return 12;
}

export function commandEventId(service: DicomService): string {
  switch (service) {
    case 'find':
      return ATNA_EVENT.query;
    case 'get':
    case 'move':
      return ATNA_EVENT.beginTransferring;
    case 'store':
      return ATNA_EVENT.instancesTransferred;
    case 'echo':
      return ATNA_EVENT.applicationActivity;
  }
}

export type AuditAppend = (type: string, actor: string, outcome: AuditOutcome, detail: Record<string, unknown>) => Promise<unknown>;

/** Appends without making the caller wait; a failed append is logged (the decision events are the durable gate). */
export function auditAppender(audit: Pick<AuditLog, 'append'>, logger: Logger | undefined): AuditAppend {
  return (type, actor, outcome, detail) =>
    audit.append({ type, actor, outcome, detail: { ...detail, atna: { eventId: detail.eventId ?? null, outcome: atnaOutcome(outcome) } } }).catch((err: unknown) => {
      logger?.error({ err: String(err), type }, 'dicom gateway audit append failed');
    });
}

export const actorOf = (userId: string | undefined) => (userId ? `Radgate::User::${JSON.stringify(userId)}` : 'anonymous');
