// The audit module's surface: the single writer, the verifier and the canonical hashing helpers.
export { openAuditLog } from './openAuditLog.js';
export type { OpenAuditLogOptions, OpenedAuditLog, AuditScheduler, CommitListener } from './openAuditLog.js';
export { verifyAuditChain } from './verifyAuditChain.js';
export type { AuditChainSource } from './verifyAuditChain.js';
export { canonicalJson } from './canonicalJson.js';
export { sha256Hex } from './sha256Hex.js';
export { digestContext, CONTEXT_DIGEST_HEX_LENGTH } from './digestContext.js';
export { GENESIS_HASH, hashEvent, eventCanonicalJson } from './hashEvent.js';
export type { HashedEventFields } from './hashEvent.js';
export {
  loadCheckpointPublicKey,
  loadOrCreateCheckpointKey,
  checkpointKeyId,
  CHECKPOINT_KEY_FILE,
  CHECKPOINT_PUBLIC_KEY_FILE,
} from './checkpointKey.js';
export type { CheckpointKey } from './checkpointKey.js';
export { signCheckpoint, verifyCheckpointSignature, checkpointCanonicalJson } from './signCheckpoint.js';
export type { CheckpointStatement, SignedCheckpoint } from './signCheckpoint.js';
export { prepareEvent, AUDIT_OUTCOMES } from './prepareEvent.js';
export type { PreparedEvent } from './prepareEvent.js';
export { formatAuditEvent } from './formatAuditEvent.js';
export type {
  AuditEventInput,
  AuditOutcome,
  AuditReceipt,
  AuditLog,
  AuditHead,
  AuditStats,
  AuditChainProblem,
  AuditVerifyResult,
} from './types.js';
export type { AuditRow, CheckpointRow } from '../store/index.js';
export { eventFacts, actorUserId } from './export/eventFacts.js';
export type { EventFacts } from './export/eventFacts.js';
export { createAuditExporter, createAtnaExporter, toAtnaMessage, openSpool, createSyslogSender } from './export/index.js';
export type { AuditExporter, ExportSink, AtnaExporter, AtnaExporterOptions, Spool, SpoolProblem, SenderProblem } from './export/index.js';
export { createFhirExporter, toFhirAuditEvents } from './export/index.js';
export type { FhirExporter, FhirExporterOptions, FhirProblem, FhirTarget, FhirAuditEvent, FhirSource } from './export/index.js';
export { auditRefusal, userActor } from './auditedOperation.js';
