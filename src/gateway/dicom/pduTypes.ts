// The upper-layer PDUs as plain values: what decodePdu returns and encodePdu takes.
import type { AbortReason } from './constants.js';

export interface PresentationContextRq {
  /** PS3.8 9.3.2.2: odd, 1-255, unique within the association. */
  id: number;
  abstractSyntax: string;
  transferSyntaxes: string[];
}

export interface PresentationContextAc {
  id: number;
  /** PC_RESULT */
  result: number;
  /** The accepted transfer syntax; not significant (often '') when rejected. */
  transferSyntax: string;
}

export interface RoleSelection {
  sopClass: string;
  scu: boolean;
  scp: boolean;
}

export interface ExtendedNegotiation {
  sopClass: string;
  info: Buffer;
}

export interface CommonExtendedNegotiation {
  sopClass: string;
  serviceClass: string;
  relatedClasses: string[];
}

/** PS3.7 D.3.3.7: user identity negotiation (type 1 username, 2 +passcode, 3 Kerberos, 4 SAML, 5 JWT). */
export interface UserIdentityRq {
  type: number;
  positiveResponseRequested: boolean;
  primary: Buffer;
  secondary: Buffer;
}

export interface UnknownSubItem {
  type: number;
  value: Buffer;
}

export interface UserInfo {
  maxLength?: number;
  implementationClassUid?: string;
  implementationVersionName?: string;
  asyncOps?: { invoked: number; performed: number };
  roleSelections: RoleSelection[];
  extendedNegotiations: ExtendedNegotiation[];
  commonExtendedNegotiations: CommonExtendedNegotiation[];
  userIdentity?: UserIdentityRq;
  userIdentityResponse?: Buffer;
  /** PS3.7 D.3.3: unrecognised sub-items are kept here and never forwarded. */
  unknown: UnknownSubItem[];
}

interface AssociateCommon {
  protocolVersion: number;
  /** Trimmed (PS3.8 9.3.2: leading and trailing spaces are not significant). */
  calledAe: string;
  callingAe: string;
  applicationContext: string;
  userInfo: UserInfo;
}

export interface AssociateRq extends AssociateCommon {
  type: 0x01;
  presentationContexts: PresentationContextRq[];
}

export interface AssociateAc extends AssociateCommon {
  type: 0x02;
  presentationContexts: PresentationContextAc[];
}

export interface AssociateRj {
  type: 0x03;
  result: number;
  source: number;
  reason: number;
}

export interface Pdv {
  contextId: number;
  /** Message control header bit 0: command (true) or data set. */
  command: boolean;
  /** Bit 1: last fragment of the command or data set. */
  last: boolean;
  data: Buffer;
}

export interface PData {
  type: 0x04;
  pdvs: Pdv[];
}

export interface ReleaseRq {
  type: 0x05;
}
export interface ReleaseRp {
  type: 0x06;
}
export interface Abort {
  type: 0x07;
  source: number;
  reason: number;
}

export type Pdu = AssociateRq | AssociateAc | AssociateRj | PData | ReleaseRq | ReleaseRp | Abort;

/** Stable codes of malformed input, each with the A-ABORT reason it earns (PS3.8 9.3.8). */
export type PduErrorCode =
  | 'pdu-truncated'
  | 'pdu-length-mismatch'
  | 'pdu-too-long'
  | 'pdu-type-unknown'
  | 'item-type-unknown'
  | 'item-truncated'
  | 'item-duplicate'
  | 'item-missing'
  | 'field-invalid'
  | 'pc-id-invalid'
  | 'pc-id-reused'
  | 'pc-none'
  | 'pdv-invalid';

export interface PduError {
  code: PduErrorCode;
  abortReason: AbortReason;
  detail: string;
}

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; error: PduError };
