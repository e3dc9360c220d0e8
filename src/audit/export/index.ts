// Audit exports: ATNA (PS3.15 A.5 over RFC 5424/5425 syslog/TLS with an on-disk spool) and
// FHIR R4 AuditEvent (IHE BALP) to a FHIR server or NDJSON.
export { createAuditExporter } from './createAuditExporter.js';
export type { AuditExporter, AuditExporterOptions, ExportSink } from './createAuditExporter.js';
export { createAtnaExporter, atnaSyslogRecords } from './createAtnaExporter.js';
export type { AtnaExporter, AtnaExporterOptions } from './createAtnaExporter.js';
export { toAtnaMessage } from './toAtnaXml.js';
export type { AtnaMessage, AtnaSource } from './toAtnaXml.js';
export { openSpool } from './openSpool.js';
export type { Spool, SpoolProblem, FsyncPolicy } from './openSpool.js';
export { createSyslogSender } from './createSyslogSender.js';
export type { SenderProblem, SyslogSender } from './createSyslogSender.js';
export { eventFacts, actorUserId } from './eventFacts.js';
export type { EventFacts } from './eventFacts.js';
export { createFhirExporter } from './createFhirExporter.js';
export type { FhirExporter, FhirExporterOptions, FhirProblem, FhirTarget } from './createFhirExporter.js';
export { toFhirAuditEvents } from './toFhirAuditEvents.js';
export type { FhirAuditEvent, FhirSource } from './toFhirAuditEvents.js';
