// Pure decoder of one upper-layer PDU (PS3.8 9.3): bytes in, a typed PDU or a stable
// error code with the A-ABORT reason it earns. Strict: lengths must add up exactly,
// unknown PDU and item types are refused, presentation-context ids are odd and unique.
import { ABORT_REASON, ITEM, PDU } from './constants.js';
import type {
  AssociateAc,
  AssociateRj,
  AssociateRq,
  CommonExtendedNegotiation,
  DecodeResult,
  Pdu,
  PduError,
  PduErrorCode,
  Pdv,
  PresentationContextAc,
  PresentationContextRq,
  UserInfo,
} from './pduTypes.js';

/** PS3.8 9.3.1: type (1), reserved (1), length (4, big-endian). */
export const PDU_HEADER_LENGTH = 6;
/** PS3.5 9.1: a UID is at most 64 characters of digits and dots. */
const UID = /^[0-9]+(\.[0-9]+)*$/;
const MAX_UID = 64;
/** PS3.8 9.3.2.2: more than 128 contexts cannot have distinct odd ids. */
const MAX_CONTEXTS = 128;

class Malformed extends Error {
  constructor(readonly code: PduErrorCode, readonly abortReason: PduError['abortReason'], detail: string) {
    super(detail);
  }
}

const fail = (code: PduErrorCode, detail: string, reason: PduError['abortReason'] = ABORT_REASON.invalidPduParameterValue): never => {
  throw new Malformed(code, reason, detail);
};

/** Decodes one whole PDU (header included). `buf.length` must equal 6 + the PDU length field. */
export function decodePdu(buf: Buffer): DecodeResult<Pdu> {
  try {
    return { ok: true, value: decodeOrThrow(buf) };
  } catch (err) {
    if (err instanceof Malformed) return { ok: false, error: { code: err.code, abortReason: err.abortReason, detail: err.message } };
    throw err;
  }
}

function decodeOrThrow(buf: Buffer): Pdu {
  if (buf.length < PDU_HEADER_LENGTH) fail('pdu-truncated', 'shorter than a PDU header');
  const type = buf[0]!;
  const length = buf.readUInt32BE(2);
  if (buf.length !== PDU_HEADER_LENGTH + length) fail('pdu-length-mismatch', `PDU length field ${length} but ${buf.length - PDU_HEADER_LENGTH} bytes`);
  const body = buf.subarray(PDU_HEADER_LENGTH);
  switch (type) {
    case PDU.associateRq:
      return decodeAssociate(body, PDU.associateRq) as AssociateRq;
    case PDU.associateAc:
      return decodeAssociate(body, PDU.associateAc) as AssociateAc;
    case PDU.associateRj:
      return decodeRj(body);
    case PDU.pData:
      return { type: PDU.pData, pdvs: decodePdvs(body) };
    case PDU.releaseRq:
    case PDU.releaseRp:
      // PS3.8 9.3.6/9.3.7: four reserved bytes.
      if (body.length !== 4) fail('pdu-length-mismatch', 'A-RELEASE PDUs have a length of 4');
      return { type };
    case PDU.abort:
      if (body.length !== 4) fail('pdu-length-mismatch', 'A-ABORT has a length of 4');
      return { type: PDU.abort, source: body[2]!, reason: body[3]! };
    default:
      return fail('pdu-type-unknown', `unknown PDU type 0x${type.toString(16)}`, ABORT_REASON.unrecognizedPdu);
  }
}

function decodeRj(body: Buffer): AssociateRj {
  // PS3.8 9.3.4: reserved, result, source, reason/diag.
  if (body.length !== 4) fail('pdu-length-mismatch', 'A-ASSOCIATE-RJ has a length of 4');
  return { type: PDU.associateRj, result: body[1]!, source: body[2]!, reason: body[3]! };
}

/** Splits `buf` into items of type (1), reserved (1), length (2). */
function* items(buf: Buffer, where: string): Generator<{ type: number; value: Buffer }> {
  let off = 0;
  while (off < buf.length) {
    if (buf.length - off < 4) fail('item-truncated', `${where}: item header cut short`);
    const type = buf[off]!;
    const len = buf.readUInt16BE(off + 2);
    if (off + 4 + len > buf.length) fail('item-truncated', `${where}: item 0x${type.toString(16)} runs past its container`);
    yield { type, value: buf.subarray(off + 4, off + 4 + len) };
    off += 4 + len;
  }
}

function uid(value: Buffer, what: string): string {
  // Some implementations pad UIDs to even length with NUL; tolerate only trailing padding.
  const s = value.toString('latin1').replace(/[\0 ]+$/, '');
  if (s.length === 0 || s.length > MAX_UID || !UID.test(s)) fail('field-invalid', `${what}: not a UID`);
  return s;
}

function aeTitle(value: Buffer): string {
  // PS3.8 9.3.2: 16 bytes, leading and trailing spaces not significant. Content is checked by the gate.
  return value.toString('latin1').replace(/^ +| +$/g, '');
}

function decodeAssociate(body: Buffer, type: 0x01 | 0x02): AssociateRq | AssociateAc {
  const name = type === PDU.associateRq ? 'A-ASSOCIATE-RQ' : 'A-ASSOCIATE-AC';
  // PS3.8 9.3.2: version (2), reserved (2), called AE (16), calling AE (16), reserved (32).
  if (body.length < 68) fail('pdu-truncated', `${name}: fixed fields cut short`);
  const protocolVersion = body.readUInt16BE(0);
  const calledAe = aeTitle(body.subarray(4, 20));
  const callingAe = aeTitle(body.subarray(20, 36));
  let applicationContext: string | undefined;
  let userInfo: UserInfo | undefined;
  const rqContexts: PresentationContextRq[] = [];
  const acContexts: PresentationContextAc[] = [];
  const ids = new Set<number>();
  for (const it of items(body.subarray(68), name)) {
    if (it.type === ITEM.applicationContext) {
      if (applicationContext !== undefined) fail('item-duplicate', `${name}: two application context items`, ABORT_REASON.unexpectedPduParameter);
      applicationContext = uid(it.value, 'application context');
    } else if (it.type === ITEM.userInfo) {
      if (userInfo) fail('item-duplicate', `${name}: two user information items`, ABORT_REASON.unexpectedPduParameter);
      userInfo = decodeUserInfo(it.value);
    } else if (type === PDU.associateRq && it.type === ITEM.presentationContextRq) {
      const pc = decodePcRq(it.value);
      checkId(ids, pc.id);
      rqContexts.push(pc);
    } else if (type === PDU.associateAc && it.type === ITEM.presentationContextAc) {
      const pc = decodePcAc(it.value);
      checkId(ids, pc.id);
      acContexts.push(pc);
    } else {
      fail('item-type-unknown', `${name}: unexpected item type 0x${it.type.toString(16)}`, ABORT_REASON.unrecognizedPduParameter);
    }
  }
  if (applicationContext === undefined) fail('item-missing', `${name}: no application context item`);
  if (!userInfo) fail('item-missing', `${name}: no user information item`);
  const common = { protocolVersion, calledAe, callingAe, applicationContext: applicationContext!, userInfo: userInfo! };
  if (type === PDU.associateRq) {
    if (rqContexts.length === 0) fail('pc-none', `${name}: no presentation context`);
    return { type, ...common, presentationContexts: rqContexts };
  }
  return { type, ...common, presentationContexts: acContexts };
}

function checkId(ids: Set<number>, id: number): void {
  // PS3.8 9.3.2.2: odd integers 1-255, unique within the association.
  if (id % 2 === 0) fail('pc-id-invalid', `presentation context id ${id} is even`);
  if (ids.has(id)) fail('pc-id-reused', `presentation context id ${id} used twice`);
  if (ids.size >= MAX_CONTEXTS) fail('pc-id-invalid', 'more than 128 presentation contexts');
  ids.add(id);
}

function decodePcRq(v: Buffer): PresentationContextRq {
  // PS3.8 9.3.2.2: id (1), reserved (3), then one abstract syntax and 1+ transfer syntaxes.
  if (v.length < 4) fail('item-truncated', 'presentation context item cut short');
  const id = v[0]!;
  let abstractSyntax: string | undefined;
  const transferSyntaxes: string[] = [];
  for (const it of items(v.subarray(4), `presentation context ${id}`)) {
    if (it.type === ITEM.abstractSyntax) {
      if (abstractSyntax !== undefined) fail('item-duplicate', `presentation context ${id}: two abstract syntaxes`, ABORT_REASON.unexpectedPduParameter);
      abstractSyntax = uid(it.value, 'abstract syntax');
    } else if (it.type === ITEM.transferSyntax) {
      transferSyntaxes.push(uid(it.value, 'transfer syntax'));
    } else {
      fail('item-type-unknown', `presentation context ${id}: unexpected sub-item 0x${it.type.toString(16)}`, ABORT_REASON.unrecognizedPduParameter);
    }
  }
  if (abstractSyntax === undefined) fail('item-missing', `presentation context ${id}: no abstract syntax`);
  if (transferSyntaxes.length === 0) fail('item-missing', `presentation context ${id}: no transfer syntax`);
  return { id, abstractSyntax: abstractSyntax!, transferSyntaxes };
}

function decodePcAc(v: Buffer): PresentationContextAc {
  // PS3.8 9.3.3.2: id (1), reserved (1), result (1), reserved (1), one transfer syntax.
  if (v.length < 4) fail('item-truncated', 'presentation context item cut short');
  const id = v[0]!;
  const result = v[2]!;
  if (result > 4) fail('field-invalid', `presentation context ${id}: result ${result}`);
  let transferSyntax: string | undefined;
  for (const it of items(v.subarray(4), `presentation context ${id}`)) {
    if (it.type !== ITEM.transferSyntax) fail('item-type-unknown', `presentation context ${id}: unexpected sub-item 0x${it.type.toString(16)}`, ABORT_REASON.unrecognizedPduParameter);
    if (transferSyntax !== undefined) fail('item-duplicate', `presentation context ${id}: two transfer syntaxes`, ABORT_REASON.unexpectedPduParameter);
    // Not significant when rejected; some peers send it empty.
    transferSyntax = result === 0 || it.value.length > 0 ? uid(it.value, 'transfer syntax') : '';
  }
  if (result === 0 && transferSyntax === undefined) fail('item-missing', `presentation context ${id}: accepted without a transfer syntax`);
  return { id, result, transferSyntax: transferSyntax ?? '' };
}

function u16String(v: Buffer, off: number, what: string): { s: Buffer; next: number } {
  if (off + 2 > v.length) fail('item-truncated', `${what}: length cut short`);
  const len = v.readUInt16BE(off);
  if (off + 2 + len > v.length) fail('item-truncated', `${what}: value runs past its item`);
  return { s: v.subarray(off + 2, off + 2 + len), next: off + 2 + len };
}

function decodeUserInfo(v: Buffer): UserInfo {
  const ui: UserInfo = { roleSelections: [], extendedNegotiations: [], commonExtendedNegotiations: [], unknown: [] };
  const once = (present: unknown, what: string) => {
    if (present !== undefined) fail('item-duplicate', `user information: two ${what} sub-items`, ABORT_REASON.unexpectedPduParameter);
  };
  for (const it of items(v, 'user information')) {
    const x = it.value;
    switch (it.type) {
      case ITEM.maxLength:
        once(ui.maxLength, 'maximum length');
        if (x.length !== 4) fail('field-invalid', 'maximum length sub-item is 4 bytes');
        ui.maxLength = x.readUInt32BE(0);
        break;
      case ITEM.implementationClassUid:
        once(ui.implementationClassUid, 'implementation class UID');
        ui.implementationClassUid = uid(x, 'implementation class UID');
        break;
      case ITEM.implementationVersionName: {
        once(ui.implementationVersionName, 'implementation version name');
        // PS3.7 D.3.3.2.3: 1-16 characters of the default repertoire.
        const name = x.toString('latin1');
        if (x.length < 1 || x.length > 16 || !/^[\x20-\x7e]+$/.test(name)) fail('field-invalid', 'implementation version name');
        ui.implementationVersionName = name;
        break;
      }
      case ITEM.asyncOps:
        once(ui.asyncOps, 'asynchronous operations window');
        if (x.length !== 4) fail('field-invalid', 'asynchronous operations window sub-item is 4 bytes');
        ui.asyncOps = { invoked: x.readUInt16BE(0), performed: x.readUInt16BE(2) };
        break;
      case ITEM.roleSelection: {
        const { s, next } = u16String(x, 0, 'role selection');
        if (next + 2 !== x.length || x[next]! > 1 || x[next + 1]! > 1) fail('field-invalid', 'role selection roles');
        ui.roleSelections.push({ sopClass: uid(s, 'role selection SOP class'), scu: x[next] === 1, scp: x[next + 1] === 1 });
        break;
      }
      case ITEM.extendedNegotiation: {
        const { s, next } = u16String(x, 0, 'extended negotiation');
        ui.extendedNegotiations.push({ sopClass: uid(s, 'extended negotiation SOP class'), info: Buffer.from(x.subarray(next)) });
        break;
      }
      case ITEM.commonExtendedNegotiation:
        ui.commonExtendedNegotiations.push(decodeCommonExtended(x));
        break;
      case ITEM.userIdentityRq: {
        once(ui.userIdentity, 'user identity');
        if (x.length < 2) fail('item-truncated', 'user identity cut short');
        const p = u16String(x, 2, 'user identity primary field');
        const s = u16String(x, p.next, 'user identity secondary field');
        if (s.next !== x.length) fail('field-invalid', 'user identity: trailing bytes');
        if (x[0]! < 1 || x[0]! > 5 || x[1]! > 1) fail('field-invalid', 'user identity type');
        ui.userIdentity = { type: x[0]!, positiveResponseRequested: x[1] === 1, primary: Buffer.from(p.s), secondary: Buffer.from(s.s) };
        break;
      }
      case ITEM.userIdentityAc: {
        once(ui.userIdentityResponse, 'user identity response');
        const r = u16String(x, 0, 'user identity response');
        if (r.next !== x.length) fail('field-invalid', 'user identity response: trailing bytes');
        ui.userIdentityResponse = Buffer.from(r.s);
        break;
      }
      default:
        ui.unknown.push({ type: it.type, value: Buffer.from(x) });
    }
  }
  return ui;
}

function decodeCommonExtended(x: Buffer): CommonExtendedNegotiation {
  // PS3.7 D.3.3.6: SOP class, service class, then related general SOP classes (each length-prefixed).
  const a = u16String(x, 0, 'common extended negotiation SOP class');
  const b = u16String(x, a.next, 'common extended negotiation service class');
  const c = u16String(x, b.next, 'common extended negotiation related classes');
  if (c.next !== x.length) fail('field-invalid', 'common extended negotiation: trailing bytes');
  const relatedClasses: string[] = [];
  let off = 0;
  while (off < c.s.length) {
    const r = u16String(c.s, off, 'related general SOP class');
    relatedClasses.push(uid(r.s, 'related general SOP class'));
    off = r.next;
  }
  return { sopClass: uid(a.s, 'common extended negotiation SOP class'), serviceClass: uid(b.s, 'service class'), relatedClasses };
}

/** PS3.8 9.3.5: PDV items of length (4), context id (1), control header (1), value. */
export function decodePdvs(body: Buffer): Pdv[] {
  const pdvs: Pdv[] = [];
  let off = 0;
  if (body.length === 0) fail('pdv-invalid', 'P-DATA-TF without a PDV');
  while (off < body.length) {
    if (body.length - off < 6) fail('item-truncated', 'PDV header cut short');
    const len = body.readUInt32BE(off);
    if (len < 2) fail('pdv-invalid', 'PDV shorter than its header');
    if (off + 4 + len > body.length) fail('item-truncated', 'PDV runs past its P-DATA-TF');
    const contextId = body[off + 4]!;
    const mch = body[off + 5]!;
    // PS3.8 E.2: bits 2-7 of the message control header are always 0.
    if (mch & 0xfc) fail('pdv-invalid', `message control header 0x${mch.toString(16)}`);
    if (contextId % 2 === 0) fail('pc-id-invalid', `PDV on even presentation context id ${contextId}`);
    pdvs.push({ contextId, command: (mch & 1) === 1, last: (mch & 2) === 2, data: body.subarray(off + 6, off + 4 + len) });
    off += 4 + len;
  }
  return pdvs;
}

/** A fresh PduError value (for callers outside the decoder: readers, state machines). */
export function pduError(code: PduErrorCode, detail: string, abortReason: PduError['abortReason'] = ABORT_REASON.invalidPduParameterValue): PduError {
  return { code, abortReason, detail };
}
