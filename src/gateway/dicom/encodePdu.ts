// Pure encoder of upper-layer PDUs (PS3.8 9.3), the inverse of decodePdu: sub-items are
// written in a canonical order, UIDs without padding, AE titles space-padded to 16.
import { ITEM, PDU } from './constants.js';
import type { AssociateAc, AssociateRq, Pdu, Pdv, UserInfo } from './pduTypes.js';

const latin1 = (s: string) => Buffer.from(s, 'latin1');

function item(type: number, value: Buffer): Buffer {
  if (value.length > 0xffff) throw new RangeError(`item 0x${type.toString(16)} longer than 65535 bytes`);
  const h = Buffer.alloc(4);
  h[0] = type;
  h.writeUInt16BE(value.length, 2);
  return Buffer.concat([h, value]);
}

function u16(value: Buffer): Buffer {
  const h = Buffer.alloc(2);
  h.writeUInt16BE(value.length, 0);
  return Buffer.concat([h, value]);
}

function pdu(type: number, body: Buffer): Buffer {
  const h = Buffer.alloc(6);
  h[0] = type;
  h.writeUInt32BE(body.length, 2);
  return Buffer.concat([h, body]);
}

function ae(title: string): Buffer {
  // PS3.8 9.3.2: 16 bytes, space padded.
  const b = Buffer.alloc(16, 0x20);
  b.write(title.slice(0, 16), 0, 'latin1');
  return b;
}

export function encodeUserInfo(ui: UserInfo): Buffer {
  const parts: Buffer[] = [];
  if (ui.maxLength !== undefined) {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(ui.maxLength, 0);
    parts.push(item(ITEM.maxLength, b));
  }
  if (ui.implementationClassUid !== undefined) parts.push(item(ITEM.implementationClassUid, latin1(ui.implementationClassUid)));
  if (ui.asyncOps) {
    const b = Buffer.alloc(4);
    b.writeUInt16BE(ui.asyncOps.invoked, 0);
    b.writeUInt16BE(ui.asyncOps.performed, 2);
    parts.push(item(ITEM.asyncOps, b));
  }
  for (const r of ui.roleSelections) parts.push(item(ITEM.roleSelection, Buffer.concat([u16(latin1(r.sopClass)), Buffer.from([r.scu ? 1 : 0, r.scp ? 1 : 0])])));
  if (ui.implementationVersionName !== undefined) parts.push(item(ITEM.implementationVersionName, latin1(ui.implementationVersionName)));
  for (const e of ui.extendedNegotiations) parts.push(item(ITEM.extendedNegotiation, Buffer.concat([u16(latin1(e.sopClass)), e.info])));
  for (const c of ui.commonExtendedNegotiations) {
    const related = Buffer.concat(c.relatedClasses.map((r) => u16(latin1(r))));
    parts.push(item(ITEM.commonExtendedNegotiation, Buffer.concat([u16(latin1(c.sopClass)), u16(latin1(c.serviceClass)), u16(related)])));
  }
  if (ui.userIdentity) {
    const u = ui.userIdentity;
    parts.push(item(ITEM.userIdentityRq, Buffer.concat([Buffer.from([u.type, u.positiveResponseRequested ? 1 : 0]), u16(u.primary), u16(u.secondary)])));
  }
  if (ui.userIdentityResponse) parts.push(item(ITEM.userIdentityAc, u16(ui.userIdentityResponse)));
  for (const x of ui.unknown) parts.push(item(x.type, x.value));
  return item(ITEM.userInfo, Buffer.concat(parts));
}

function encodeAssociate(p: AssociateRq | AssociateAc): Buffer {
  const fixed = Buffer.alloc(68);
  fixed.writeUInt16BE(p.protocolVersion, 0);
  ae(p.calledAe).copy(fixed, 4);
  ae(p.callingAe).copy(fixed, 20);
  const parts: Buffer[] = [fixed, item(ITEM.applicationContext, latin1(p.applicationContext))];
  if (p.type === PDU.associateRq) {
    for (const pc of p.presentationContexts) {
      const head = Buffer.from([pc.id, 0, 0, 0]);
      const subs = [item(ITEM.abstractSyntax, latin1(pc.abstractSyntax)), ...pc.transferSyntaxes.map((ts) => item(ITEM.transferSyntax, latin1(ts)))];
      parts.push(item(ITEM.presentationContextRq, Buffer.concat([head, ...subs])));
    }
  } else {
    for (const pc of p.presentationContexts) {
      parts.push(item(ITEM.presentationContextAc, Buffer.concat([Buffer.from([pc.id, 0, pc.result, 0]), item(ITEM.transferSyntax, latin1(pc.transferSyntax))])));
    }
  }
  parts.push(encodeUserInfo(p.userInfo));
  return pdu(p.type, Buffer.concat(parts));
}

/** Encodes PDV items into one P-DATA-TF body (PS3.8 9.3.5). */
export function encodePData(pdvs: readonly Pdv[]): Buffer {
  const parts: Buffer[] = [];
  let total = 0;
  for (const v of pdvs) {
    const h = Buffer.alloc(6);
    h.writeUInt32BE(v.data.length + 2, 0);
    h[4] = v.contextId;
    h[5] = (v.command ? 1 : 0) | (v.last ? 2 : 0);
    parts.push(h, v.data);
    total += 6 + v.data.length;
  }
  const head = Buffer.alloc(6);
  head[0] = PDU.pData;
  head.writeUInt32BE(total, 2);
  return Buffer.concat([head, ...parts], 6 + total);
}

export function encodePdu(p: Pdu): Buffer {
  switch (p.type) {
    case PDU.associateRq:
    case PDU.associateAc:
      return encodeAssociate(p);
    case PDU.associateRj:
      return pdu(p.type, Buffer.from([0, p.result, p.source, p.reason]));
    case PDU.pData:
      return encodePData(p.pdvs);
    case PDU.releaseRq:
    case PDU.releaseRp:
      return pdu(p.type, Buffer.alloc(4));
    case PDU.abort:
      return pdu(p.type, Buffer.from([0, 0, p.source, p.reason]));
  }
}

/**
 * Splits a message (command or data set) into P-DATA-TF PDUs no longer than `maxPduLength`
 * (0: unlimited), each with one PDV; the last fragment carries bit 1.
 */
export function fragmentMessage(contextId: number, command: boolean, data: Buffer, maxPduLength: number): Buffer[] {
  const room = maxPduLength > 0 ? Math.max(1, maxPduLength - 6) : data.length || 1;
  const out: Buffer[] = [];
  let off = 0;
  do {
    const chunk = data.subarray(off, off + room);
    off += chunk.length;
    out.push(encodePData([{ contextId, command, last: off >= data.length, data: chunk }]));
  } while (off < data.length);
  return out;
}

/**
 * Packs PDVs into as few P-DATA-TF PDUs as fit `maxPduLength` (0: unlimited) each, in order.
 * A PDV larger than the limit on its own still goes alone (the caller guarantees it fits).
 */
export function packPdvs(pdvs: readonly Pdv[], maxPduLength: number): Buffer[] {
  const out: Buffer[] = [];
  let group: Pdv[] = [];
  let size = 0;
  for (const v of pdvs) {
    const len = 6 + v.data.length;
    if (group.length > 0 && maxPduLength > 0 && size + len > maxPduLength) {
      out.push(encodePData(group));
      group = [];
      size = 0;
    }
    group.push(v);
    size += len;
  }
  if (group.length > 0) out.push(encodePData(group));
  return out;
}
