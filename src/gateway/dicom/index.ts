// The DIMSE gateway: PDU codec (pure), association negotiation and message tracking,
// bounded command/identifier parsing, and the DICOM-TLS proxy with per-command policy.
export { createDicomGateway } from './createDicomGateway.js';
export type { DicomGateway, DicomGatewayOptions } from './createDicomGateway.js';
export { decodePdu, decodePdvs, PDU_HEADER_LENGTH } from './decodePdu.js';
export { encodePdu, encodePData, encodeUserInfo, fragmentMessage } from './encodePdu.js';
export { createPduReader, isPduError } from './createPduReader.js';
export type { PduReader, PduReaderLimits, RawPdu } from './createPduReader.js';
export { decodeCommandSet, encodeCommandSet, responseFor, MAX_COMMAND_LENGTH } from './commandSet.js';
export type { CommandSet, CommandSetError } from './commandSet.js';
export { readStudyFields } from './readStudyFields.js';
export type { StudyFieldsResult } from './readStudyFields.js';
export { classifySopClass, commandService, SERVICE_ACTION } from './classifySopClass.js';
export type { DicomService } from './classifySopClass.js';
export { createMessageTracker } from './createMessageTracker.js';
export type { MessageTracker, TrackResult } from './createMessageTracker.js';
export { planAssociation, clientAssociateAc, minLength } from './negotiate.js';
export type { NegotiationPlan, ContextPlan } from './negotiate.js';
export * from './constants.js';
export type * from './pduTypes.js';
