// The classifier's vocabulary: what a DICOMweb request is, or why it was refused.

export type DicomwebAction = 'dicomweb.query' | 'dicomweb.retrieve' | 'dicomweb.store';
export type DicomwebKind = 'qido' | 'wado-rs' | 'stow' | 'wado-uri';
export type DicomwebLevel = 'studies' | 'series' | 'instances' | 'frames';
export type DicomwebVariant = 'metadata' | 'rendered' | 'thumbnail' | 'frames';
export type DicomwebMethod = 'GET' | 'HEAD' | 'POST';

/** An allowed request, rebuilt from its parsed parts. */
export interface DicomwebRequest {
  ok: true;
  /** The request method as received (HEAD is classified like GET). */
  method: DicomwebMethod;
  /** Id of the allow-list row that matched (`dicomwebRoutes`), e.g. `wado-rs.instance.rendered`. */
  route: string;
  action: DicomwebAction;
  kind: DicomwebKind;
  level: DicomwebLevel;
  variant?: DicomwebVariant;
  /** StudyInstanceUID from the path, or from a single-valued QIDO `StudyInstanceUID` filter. */
  study?: string;
  series?: string;
  instance?: string;
  frames?: number[];
  /** Validated, canonical query (empty unless QIDO, rendered/thumbnail or WADO-URI). */
  query: URLSearchParams;
  /** Origin-form request target for the upstream: canonical path plus canonical query. Never the raw input. */
  upstreamPath: string;
}

export type DicomwebReason =
  // normalisation (normalizePath)
  | 'uri-too-long'
  | 'bad-request-target'
  | 'control-char'
  | 'non-ascii'
  | 'bad-char'
  | 'backslash'
  | 'bad-percent-encoding'
  | 'double-encoding'
  | 'encoded-separator'
  | 'encoded-dot'
  | 'encoded-path'
  | 'dot-segment'
  | 'empty-segment'
  | 'trailing-slash'
  // routing
  | 'outside-root'
  | 'route-not-allowed'
  | 'bulkdata-not-allowed'
  | 'method-not-allowed'
  // parts
  | 'bad-uid'
  | 'bad-frame-list'
  // query
  | 'bad-query'
  | 'query-not-allowed'
  | 'query-param-not-allowed'
  | 'query-param-repeated'
  | 'query-param-missing'
  | 'query-value-invalid'
  | 'query-conflicts-path';

export type DicomwebRejectStatus = 400 | 403 | 404 | 405 | 414;

/** A refusal with a stable reason code; `message` is safe to show the client. */
export interface DicomwebRejection {
  ok: false;
  status: DicomwebRejectStatus;
  reason: DicomwebReason;
  message: string;
  /** For 405: the methods the matched resource accepts (for the Allow header). */
  allow?: readonly DicomwebMethod[];
}

export type DicomwebClassification = DicomwebRequest | DicomwebRejection;

export function reject(
  status: DicomwebRejectStatus,
  reason: DicomwebReason,
  message: string,
  allow?: readonly DicomwebMethod[],
): DicomwebRejection {
  return allow ? { ok: false, status, reason, message, allow } : { ok: false, status, reason, message };
}
