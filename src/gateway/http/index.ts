// The DICOMweb request classifier: pure decisions on what may reach the PACS, and in what spelling.
export { parseDicomwebRequest, DEFAULT_MAX_QIDO_LIMIT } from './parseDicomwebRequest.js';
export type { ParseDicomwebInput } from './parseDicomwebRequest.js';
export { parseWadoUriRequest } from './parseWadoUriRequest.js';
export type { ParseWadoUriInput } from './parseWadoUriRequest.js';
export { normalizePath, rootSegments, MAX_URL_LENGTH } from './normalizePath.js';
export type { NormalizedTarget } from './normalizePath.js';
export { dicomwebRoutes } from './dicomwebRoutes.js';
export type { DicomwebRoute, RouteSegment } from './dicomwebRoutes.js';
export { isValidUid, parseFrameList, MAX_UID_LENGTH, MAX_FRAMES } from './isValidUid.js';
export { QIDO_MATCH_KEYS } from './parseQidoQuery.js';
export type {
  DicomwebAction,
  DicomwebClassification,
  DicomwebKind,
  DicomwebLevel,
  DicomwebMethod,
  DicomwebReason,
  DicomwebRejection,
  DicomwebRequest,
  DicomwebVariant,
} from './dicomwebTypes.js';
export { createHttpGateway } from './createHttpGateway.js';
export type { HttpGateway, HttpGatewayOptions, HttpGatewayTarget } from './createHttpGateway.js';
export { httpGatewayOptions, httpGatewayTargets } from './httpGatewayFromConfig.js';
export { createCallerResolver, readCookie, UNMANAGED_DEVICE } from './callers.js';
export type { Caller, CallerResult, CallerResolver } from './callers.js';
export { createQidoFilter, JsonArraySplitter } from './qidoFilter.js';
export { createStudyDirectory, studyFactsOf } from './studyDirectory.js';
export type { StudyDirectory, StudyFacts } from './studyDirectory.js';
export { createRequestAuditCoalescer } from './requestAuditCoalescer.js';
