// DICOM upper-layer (PS3.8) and DIMSE (PS3.7) numbers the gateway speaks, in one place.

/** PS3.8 9.3.1: PDU types. */
export const PDU = {
  associateRq: 0x01,
  associateAc: 0x02,
  associateRj: 0x03,
  pData: 0x04,
  releaseRq: 0x05,
  releaseRp: 0x06,
  abort: 0x07,
} as const;

/** PS3.8 9.3.2 / 9.3.3 and PS3.7 Annex D: item and sub-item types. */
export const ITEM = {
  applicationContext: 0x10,
  presentationContextRq: 0x20,
  presentationContextAc: 0x21,
  abstractSyntax: 0x30,
  transferSyntax: 0x40,
  userInfo: 0x50,
  maxLength: 0x51,
  implementationClassUid: 0x52,
  asyncOps: 0x53,
  roleSelection: 0x54,
  implementationVersionName: 0x55,
  extendedNegotiation: 0x56,
  commonExtendedNegotiation: 0x57,
  userIdentityRq: 0x58,
  userIdentityAc: 0x59,
} as const;

/** PS3.8 9.3.2: the only version; bit 0 of the protocol-version field. */
export const PROTOCOL_VERSION = 0x0001;
/** PS3.7 A.2.1: the DICOM application context name. */
export const DICOM_APPLICATION_CONTEXT = '1.2.840.10008.3.1.1.1';

/** PS3.8 9.3.4: A-ASSOCIATE-RJ result. */
export const RJ_RESULT = { permanent: 1, transient: 2 } as const;
/** PS3.8 9.3.4: A-ASSOCIATE-RJ source. */
export const RJ_SOURCE = { serviceUser: 1, serviceProviderAcse: 2, serviceProviderPresentation: 3 } as const;
/** PS3.8 9.3.4: reasons when the source is the service user (1). */
export const RJ_USER_REASON = { noReason: 1, applicationContextNotSupported: 2, callingAeNotRecognized: 3, calledAeNotRecognized: 7 } as const;
/** PS3.8 9.3.4: reasons when the source is the ACSE service provider (2). */
export const RJ_ACSE_REASON = { noReason: 1, protocolVersionNotSupported: 2 } as const;
/** PS3.8 9.3.4: reasons when the source is the presentation service provider (3). */
export const RJ_PRESENTATION_REASON = { temporaryCongestion: 1, localLimitExceeded: 2 } as const;

/** PS3.8 9.3.8: A-ABORT source. */
export const ABORT_SOURCE = { serviceUser: 0, serviceProvider: 2 } as const;
/** PS3.8 9.3.8: A-ABORT reasons (source 2 only). */
export const ABORT_REASON = {
  notSpecified: 0,
  unrecognizedPdu: 1,
  unexpectedPdu: 2,
  unrecognizedPduParameter: 4,
  unexpectedPduParameter: 5,
  invalidPduParameterValue: 6,
} as const;
export type AbortReason = (typeof ABORT_REASON)[keyof typeof ABORT_REASON];

/** PS3.8 9.3.3.2: presentation-context result in an A-ASSOCIATE-AC. */
export const PC_RESULT = {
  acceptance: 0,
  userRejection: 1,
  noReason: 2,
  abstractSyntaxNotSupported: 3,
  transferSyntaxesNotSupported: 4,
} as const;

/** PS3.7 E.1: CommandField values of the composite services the gateway understands. */
export const COMMAND = {
  cStoreRq: 0x0001,
  cStoreRsp: 0x8001,
  cGetRq: 0x0010,
  cGetRsp: 0x8010,
  cFindRq: 0x0020,
  cFindRsp: 0x8020,
  cMoveRq: 0x0021,
  cMoveRsp: 0x8021,
  cEchoRq: 0x0030,
  cEchoRsp: 0x8030,
  cCancelRq: 0x0fff,
} as const;

/** PS3.7 E.1: CommandDataSetType value meaning "no data set". */
export const NO_DATASET = 0x0101;

/** PS3.7 C.5: status codes the gateway itself answers with. */
export const STATUS = {
  success: 0x0000,
  /** PS3.7 C.5.16 (general): the DIMSE service user was not authorized to invoke the operation. */
  refusedNotAuthorized: 0x0124,
  /** PS3.4 C.4: Error, identifier does not match SOP class. */
  identifierDoesNotMatch: 0xa900,
} as const;

/** PS3.5 A: transfer syntaxes. */
export const TS = {
  implicitLittle: '1.2.840.10008.1.2',
  explicitLittle: '1.2.840.10008.1.2.1',
  deflatedExplicitLittle: '1.2.840.10008.1.2.1.99',
  explicitBig: '1.2.840.10008.1.2.2',
} as const;

/** The gateway's own implementation identification (PS3.7 D.3.3.2). */
/** A UUID-derived UID (PS3.5 B.2), so radgate needs no registered root. */
export const IMPLEMENTATION_CLASS_UID = '2.25.319399147893965271297771200371510989167';
export const IMPLEMENTATION_VERSION_NAME = 'RADGATE_010';
