// PDU codec: encoder and decoder are inverse (property), real dcmtk/Orthanc captures
// decode, and each malformed shape gets its stable code and A-ABORT reason.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ABORT_REASON, ITEM, PDU } from './constants.js';
import { createPduReader, isPduError, type RawPdu } from './createPduReader.js';
import { decodePdu } from './decodePdu.js';
import { encodePdu, packPdvs } from './encodePdu.js';
import type { AssociateAc, AssociateRq, Pdu, UserInfo } from './pduTypes.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/gateway/dicom/fixtures');
export const CAPTURES = ['echo', 'find', 'store', 'get'].flatMap((n) => [`${n}.scu.bin`, `${n}.scp.bin`]);

export function splitPdus(stream: Buffer): RawPdu[] {
  const r = createPduReader({ maxPduLength: 1 << 24, maxAssociateLength: 1 << 20 });
  r.push(stream);
  const out: RawPdu[] = [];
  for (let p = r.next(); p; p = r.next()) {
    if (isPduError(p)) throw new Error(p.detail);
    out.push(p);
  }
  return out;
}

// ---- arbitraries ------------------------------------------------------------
const uid = fc
  .array(fc.integer({ min: 0, max: 999_999 }), { minLength: 1, maxLength: 9 })
  .map((a) => a.join('.'))
  .filter((s) => s.length <= 64);
const ae = fc.stringMatching(/^[\x21-\x5b\x5d-\x7e]([\x20-\x5b\x5d-\x7e]{0,14}[\x21-\x5b\x5d-\x7e])?$/);
const bytes = (max: number) => fc.uint8Array({ maxLength: max }).map((u) => Buffer.from(u));
const ids = fc.uniqueArray(fc.integer({ min: 0, max: 127 }).map((n) => 2 * n + 1), { minLength: 1, maxLength: 12 });
const knownSubItems = new Set<number>([0x51, 0x52, 0x53, 0x54, 0x55, 0x56, 0x57, 0x58, 0x59]);

const userInfo: fc.Arbitrary<UserInfo> = fc.record(
  {
    maxLength: fc.integer({ min: 0, max: 0xffffffff }),
    implementationClassUid: uid,
    implementationVersionName: fc.stringMatching(/^[\x20-\x7e]{1,16}$/),
    asyncOps: fc.record({ invoked: fc.integer({ min: 0, max: 0xffff }), performed: fc.integer({ min: 0, max: 0xffff }) }),
    roleSelections: fc.array(fc.record({ sopClass: uid, scu: fc.boolean(), scp: fc.boolean() }), { maxLength: 4 }),
    extendedNegotiations: fc.array(fc.record({ sopClass: uid, info: bytes(16) }), { maxLength: 3 }),
    commonExtendedNegotiations: fc.array(fc.record({ sopClass: uid, serviceClass: uid, relatedClasses: fc.array(uid, { maxLength: 3 }) }), { maxLength: 2 }),
    userIdentity: fc.record({ type: fc.integer({ min: 1, max: 5 }), positiveResponseRequested: fc.boolean(), primary: bytes(64), secondary: bytes(64) }),
    userIdentityResponse: bytes(64),
    unknown: fc.array(fc.record({ type: fc.integer({ min: 0, max: 255 }).filter((t) => !knownSubItems.has(t)), value: bytes(32) }), { maxLength: 2 }),
  },
  { requiredKeys: ['roleSelections', 'extendedNegotiations', 'commonExtendedNegotiations', 'unknown'] },
);

const common = { protocolVersion: fc.integer({ min: 0, max: 0xffff }), calledAe: ae, callingAe: ae, applicationContext: uid, userInfo };
const associateRq: fc.Arbitrary<AssociateRq> = fc
  .record({ ...common, pcs: ids.chain((list) => fc.tuple(...list.map((id) => fc.record({ id: fc.constant(id), abstractSyntax: uid, transferSyntaxes: fc.array(uid, { minLength: 1, maxLength: 4 }) })))) })
  .map(({ pcs, ...rest }) => ({ type: PDU.associateRq, ...rest, presentationContexts: pcs }));
const associateAc: fc.Arbitrary<AssociateAc> = fc
  .record({
    ...common,
    pcs: fc.uniqueArray(fc.integer({ min: 0, max: 127 }).map((n) => 2 * n + 1), { maxLength: 12 }).chain((list) =>
      fc.tuple(...list.map((id) => fc.integer({ min: 0, max: 4 }).chain((result) => fc.record({ id: fc.constant(id), result: fc.constant(result), transferSyntax: result === 0 ? uid : fc.oneof(uid, fc.constant('')) })))),
    ),
  })
  .map(({ pcs, ...rest }) => ({ type: PDU.associateAc, ...rest, presentationContexts: pcs }));
const byte = fc.integer({ min: 0, max: 255 });
const pdu: fc.Arbitrary<Pdu> = fc.oneof(
  associateRq,
  associateAc,
  fc.record({ type: fc.constant(PDU.associateRj), result: byte, source: byte, reason: byte }),
  fc.record({ type: fc.constant(PDU.pData), pdvs: fc.array(fc.record({ contextId: fc.integer({ min: 0, max: 127 }).map((n) => 2 * n + 1), command: fc.boolean(), last: fc.boolean(), data: bytes(300) }), { minLength: 1, maxLength: 5 }) }),
  fc.constant({ type: PDU.releaseRq }),
  fc.constant({ type: PDU.releaseRp }),
  fc.record({ type: fc.constant(PDU.abort), source: byte, reason: byte }),
) as fc.Arbitrary<Pdu>;

describe('PDU codec', () => {
  it('decodes what it encodes, for every PDU type (property)', () => {
    fc.assert(
      fc.property(pdu, (p) => {
        const d = decodePdu(encodePdu(p));
        expect(d).toEqual({ ok: true, value: p });
      }),
      { numRuns: 2000 },
    );
  });

  it('encodes what it decodes, byte for byte, for encoder output (property)', () => {
    fc.assert(
      fc.property(pdu, (p) => {
        const bytes1 = encodePdu(p);
        const d = decodePdu(bytes1);
        return d.ok && encodePdu(d.value).equals(bytes1);
      }),
      { numRuns: 1000 },
    );
  });

  it.each(CAPTURES)('decodes every PDU of the real capture %s and re-decodes its own encoding identically', (name) => {
    const pdus = splitPdus(readFileSync(path.join(FIXTURES, name)));
    expect(pdus.length).toBeGreaterThan(1);
    for (const raw of pdus) {
      const d = decodePdu(raw.raw);
      expect(d.ok, d.ok ? '' : d.error.detail).toBe(true);
      if (!d.ok) continue;
      expect(decodePdu(encodePdu(d.value))).toEqual(d);
    }
  });

  it('reads storescu\'s A-ASSOCIATE-RQ: AE titles, many storage contexts and the user information', () => {
    const [rq] = splitPdus(readFileSync(path.join(FIXTURES, 'store.scu.bin')));
    const d = decodePdu(rq!.raw);
    expect(d.ok).toBe(true);
    const v = (d as { value: AssociateRq }).value;
    expect(v).toMatchObject({ type: PDU.associateRq, callingAe: 'BROKER', calledAe: 'PACS_UT', applicationContext: '1.2.840.10008.3.1.1.1' });
    expect(v.presentationContexts.length).toBeGreaterThan(50);
    expect(v.userInfo.maxLength).toBeGreaterThan(0);
    expect(v.userInfo.implementationClassUid).toMatch(/^1\.2\.276\.0\.7230010/); // dcmtk's root
  });
});

// ---- malformed input ---------------------------------------------------------
const rqBytes = () => encodePdu({ type: PDU.associateRq, protocolVersion: 1, calledAe: 'PACS', callingAe: 'WS', applicationContext: '1.2.840.10008.3.1.1.1', presentationContexts: [{ id: 1, abstractSyntax: '1.2.840.10008.1.1', transferSyntaxes: ['1.2.840.10008.1.2'] }], userInfo: { maxLength: 16384, roleSelections: [], extendedNegotiations: [], commonExtendedNegotiations: [], unknown: [] } });
const withLength = (b: Buffer, len: number) => {
  const c = Buffer.from(b);
  c.writeUInt32BE(len, 2);
  return c;
};
/** An RQ with the variable items replaced. */
const rqWithItems = (items: Buffer) => {
  const head = rqBytes().subarray(0, 74);
  return withLength(Buffer.concat([head, items]), 68 + items.length);
};
const item = (type: number, value: Buffer) => {
  const h = Buffer.alloc(4);
  h[0] = type;
  h.writeUInt16BE(value.length, 2);
  return Buffer.concat([h, value]);
};
const appCtx = item(ITEM.applicationContext, Buffer.from('1.2.840.10008.3.1.1.1'));
const ui = item(ITEM.userInfo, item(ITEM.maxLength, Buffer.from([0, 0, 0x40, 0])));
const pc = (id: number, ...subs: Buffer[]) => item(ITEM.presentationContextRq, Buffer.concat([Buffer.from([id, 0, 0, 0]), ...subs]));
const as = item(ITEM.abstractSyntax, Buffer.from('1.2.840.10008.1.1'));
const ts = item(ITEM.transferSyntax, Buffer.from('1.2.840.10008.1.2'));
function pDataPdu(body: Buffer): Buffer {
  const h = Buffer.alloc(6);
  h[0] = PDU.pData;
  h.writeUInt32BE(body.length, 2);
  return Buffer.concat([h, body]);
}
const pdv = (len: number, ctx: number, mch: number, data: Buffer) => {
  const h = Buffer.alloc(6);
  h.writeUInt32BE(len, 0);
  h[4] = ctx;
  h[5] = mch;
  return Buffer.concat([h, data]);
};

describe('decodePdu refuses malformed PDUs with a stable code and the A-ABORT reason', () => {
  const cases: Array<[string, Buffer, string, number]> = [
    ['a truncated PDU (header only)', rqBytes().subarray(0, 4), 'pdu-truncated', ABORT_REASON.invalidPduParameterValue],
    ['a length field longer than the bytes', withLength(rqBytes(), rqBytes().length), 'pdu-length-mismatch', ABORT_REASON.invalidPduParameterValue],
    ['a length field shorter than the bytes', withLength(rqBytes(), rqBytes().length - 16), 'pdu-length-mismatch', ABORT_REASON.invalidPduParameterValue],
    ['an RQ whose last item runs past the PDU', rqWithItems(Buffer.concat([appCtx, pc(1, as, ts), ui.subarray(0, ui.length - 2)])), 'item-truncated', ABORT_REASON.invalidPduParameterValue],
    ['an unknown PDU type', Buffer.from([0x09, 0, 0, 0, 0, 4, 0, 0, 0, 0]), 'pdu-type-unknown', ABORT_REASON.unrecognizedPdu],
    ['an unknown item type in an RQ', rqWithItems(Buffer.concat([appCtx, pc(1, as, ts), item(0x66, Buffer.alloc(2)), ui])), 'item-type-unknown', ABORT_REASON.unrecognizedPduParameter],
    ['an unknown sub-item in a presentation context', rqWithItems(Buffer.concat([appCtx, pc(1, as, ts, item(0x41, Buffer.from('1.2'))), ui])), 'item-type-unknown', ABORT_REASON.unrecognizedPduParameter],
    ['an even presentation context id', rqWithItems(Buffer.concat([appCtx, pc(2, as, ts), ui])), 'pc-id-invalid', ABORT_REASON.invalidPduParameterValue],
    ['a reused presentation context id', rqWithItems(Buffer.concat([appCtx, pc(3, as, ts), pc(3, as, ts), ui])), 'pc-id-reused', ABORT_REASON.invalidPduParameterValue],
    ['zero presentation contexts', rqWithItems(Buffer.concat([appCtx, ui])), 'pc-none', ABORT_REASON.invalidPduParameterValue],
    ['no application context', rqWithItems(Buffer.concat([pc(1, as, ts), ui])), 'item-missing', ABORT_REASON.invalidPduParameterValue],
    ['two application contexts', rqWithItems(Buffer.concat([appCtx, appCtx, pc(1, as, ts), ui])), 'item-duplicate', ABORT_REASON.unexpectedPduParameter],
    ['a context without transfer syntax', rqWithItems(Buffer.concat([appCtx, pc(1, as), ui])), 'item-missing', ABORT_REASON.invalidPduParameterValue],
    ['an abstract syntax that is not a UID', rqWithItems(Buffer.concat([appCtx, pc(1, item(ITEM.abstractSyntax, Buffer.from('1.2.x')), ts), ui])), 'field-invalid', ABORT_REASON.invalidPduParameterValue],
    ['a maximum-length sub-item of 3 bytes', rqWithItems(Buffer.concat([appCtx, pc(1, as, ts), item(ITEM.userInfo, item(ITEM.maxLength, Buffer.alloc(3)))])), 'field-invalid', ABORT_REASON.invalidPduParameterValue],
    ['a user identity of type 9', rqWithItems(Buffer.concat([appCtx, pc(1, as, ts), item(ITEM.userInfo, item(ITEM.userIdentityRq, Buffer.from([9, 0, 0, 1, 65, 0, 0])))])), 'field-invalid', ABORT_REASON.invalidPduParameterValue],
    ['fixed fields cut short', withLength(rqBytes().subarray(0, 40), 34), 'pdu-truncated', ABORT_REASON.invalidPduParameterValue],
    ['an A-RELEASE-RQ of length 5', Buffer.from([5, 0, 0, 0, 0, 5, 0, 0, 0, 0, 0]), 'pdu-length-mismatch', ABORT_REASON.invalidPduParameterValue],
    ['a P-DATA-TF without PDV', pDataPdu(Buffer.alloc(0)), 'pdv-invalid', ABORT_REASON.invalidPduParameterValue],
    ['a PDV whose length lies (past the PDU)', pDataPdu(pdv(100, 1, 3, Buffer.alloc(10))), 'item-truncated', ABORT_REASON.invalidPduParameterValue],
    ['a PDV header cut short', pDataPdu(pdv(4, 1, 3, Buffer.alloc(0)).subarray(0, 5)), 'item-truncated', ABORT_REASON.invalidPduParameterValue],
    ['a PDV length of 1 (shorter than its own header)', pDataPdu(pdv(1, 1, 3, Buffer.alloc(0))), 'pdv-invalid', ABORT_REASON.invalidPduParameterValue],
    ['a PDV with reserved control bits set', pDataPdu(pdv(4, 1, 0x07, Buffer.alloc(2))), 'pdv-invalid', ABORT_REASON.invalidPduParameterValue],
    ['a PDV on an even context id', pDataPdu(pdv(4, 2, 3, Buffer.alloc(2))), 'pc-id-invalid', ABORT_REASON.invalidPduParameterValue],
  ];
  it.each(cases)('%s', (_name, bytes, code, reason) => {
    const d = decodePdu(bytes);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.error).toMatchObject({ code, abortReason: reason });
  });

  it('keeps AE titles with control characters for the gate to refuse (RJ, not a decode error)', () => {
    const b = rqBytes();
    b[6 + 20] = 0x07; // calling AE starts with BEL
    const d = decodePdu(b);
    expect(d.ok && (d.value as AssociateRq).callingAe.charCodeAt(0)).toBe(7);
  });
});

describe('packPdvs', () => {
  it('regroups PDVs in order into PDUs within the maximum length (property)', () => {
    const pdvArb = fc.record({ contextId: fc.constantFrom(1, 3, 5), command: fc.boolean(), last: fc.boolean(), data: fc.uint8Array({ maxLength: 900 }).map((u) => Buffer.from(u)) });
    fc.assert(
      fc.property(fc.array(pdvArb, { minLength: 1, maxLength: 30 }), fc.integer({ min: 1000, max: 5000 }), (pdvs, max) => {
        const pdus = packPdvs(pdvs, max);
        const back = pdus.flatMap((b) => {
          expect(b.length - 6).toBeLessThanOrEqual(max);
          const d = decodePdu(b);
          return d.ok && d.value.type === PDU.pData ? d.value.pdvs : [];
        });
        expect(back).toEqual(pdvs);
      }),
      { numRuns: 300 },
    );
  });
});
