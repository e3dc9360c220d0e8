// The pure parts of an association: presentation-context planning, the AC returned to
// the caller, SOP class classification and DIMSE message assembly.
import { describe, expect, it } from 'vitest';
import { classifySopClass } from './classifySopClass.js';
import { encodeCommandSet } from './commandSet.js';
import { COMMAND, DICOM_APPLICATION_CONTEXT, IMPLEMENTATION_CLASS_UID, NO_DATASET, PC_RESULT, PDU, TS } from './constants.js';
import { createMessageTracker } from './createMessageTracker.js';
import { clientAssociateAc, minLength, planAssociation } from './negotiate.js';
import type { AssociateAc, AssociateRq, Pdv } from './pduTypes.js';

const VERIFY = '1.2.840.10008.1.1';
const FIND = '1.2.840.10008.5.1.4.1.2.2.1';
const GET = '1.2.840.10008.5.1.4.1.2.2.3';
const CT = '1.2.840.10008.5.1.4.1.1.2';
const COMMIT = '1.2.840.10008.1.20.1';

const rq = (over: Partial<AssociateRq> = {}): AssociateRq => ({
  type: PDU.associateRq,
  protocolVersion: 1,
  calledAe: 'PACS_RAD',
  callingAe: 'ALICE_WS',
  applicationContext: DICOM_APPLICATION_CONTEXT,
  presentationContexts: [
    { id: 1, abstractSyntax: VERIFY, transferSyntaxes: [TS.implicitLittle] },
    { id: 3, abstractSyntax: FIND, transferSyntaxes: [TS.deflatedExplicitLittle, TS.explicitLittle] },
    { id: 5, abstractSyntax: GET, transferSyntaxes: [TS.deflatedExplicitLittle] },
    { id: 7, abstractSyntax: CT, transferSyntaxes: ['1.2.840.10008.1.2.4.50', TS.explicitBig] },
    { id: 9, abstractSyntax: COMMIT, transferSyntaxes: [TS.implicitLittle] },
  ],
  userInfo: {
    maxLength: 8192,
    implementationClassUid: '1.2.3',
    asyncOps: { invoked: 5, performed: 5 },
    roleSelections: [{ sopClass: CT, scu: false, scp: true }],
    extendedNegotiations: [],
    commonExtendedNegotiations: [],
    userIdentity: { type: 2, positiveResponseRequested: true, primary: Buffer.from('alice'), secondary: Buffer.from('secret') },
    unknown: [{ type: 0x77, value: Buffer.from('x') }],
  },
  ...over,
});

describe('planAssociation', () => {
  const plan = planAssociation({ rq: rq(), allows: (s, scp) => s !== 'store' || scp, upstreamCalledAe: 'PACS_UT', gatewayAe: 'BROKER', maxPduLength: 65536 });

  it('sends upstream only allowed contexts with transfer syntaxes the gateway can read', () => {
    expect(plan.upstreamRq.presentationContexts).toEqual([
      { id: 1, abstractSyntax: VERIFY, transferSyntaxes: [TS.implicitLittle] },
      { id: 3, abstractSyntax: FIND, transferSyntaxes: [TS.explicitLittle] },
      { id: 7, abstractSyntax: CT, transferSyntaxes: ['1.2.840.10008.1.2.4.50'] },
    ]);
    expect([...plan.refused]).toEqual([
      [5, PC_RESULT.transferSyntaxesNotSupported],
      [9, PC_RESULT.abstractSyntaxNotSupported],
    ]);
  });

  it('presents the gateway under its own AE, never passes the caller\'s user identity or unknown items, and drops async operations', () => {
    const u = plan.upstreamRq;
    expect(u).toMatchObject({ calledAe: 'PACS_UT', callingAe: 'BROKER' });
    expect(u.userInfo.userIdentity).toBeUndefined();
    expect(u.userInfo.unknown).toEqual([]);
    expect(u.userInfo.asyncOps).toBeUndefined();
    expect(u.userInfo.implementationClassUid).toBe(IMPLEMENTATION_CLASS_UID);
    expect(u.userInfo.roleSelections).toEqual([{ sopClass: CT, scu: false, scp: true }]);
  });

  it('never lets the PACS send PDUs larger than the caller accepts', () => {
    expect(plan.upstreamRq.userInfo.maxLength).toBe(8192);
    expect(minLength(65536, 0)).toBe(65536);
    expect(minLength(65536, 1 << 20)).toBe(65536);
  });

  it('refuses a storage context whose SCP role is not proposed when storing is not allowed', () => {
    const p = planAssociation({ rq: rq({ userInfo: { ...rq().userInfo, roleSelections: [] } }), allows: (s, scp) => s !== 'store' || scp, upstreamCalledAe: 'P', gatewayAe: 'G', maxPduLength: 65536 });
    expect(p.refused.get(7)).toBe(PC_RESULT.abstractSyntaxNotSupported);
  });

  it('answers the caller with the PACS results, its own refusals, and only offered transfer syntaxes', () => {
    const ac: AssociateAc = {
      type: PDU.associateAc,
      protocolVersion: 1,
      calledAe: 'PACS_UT',
      callingAe: 'BROKER',
      applicationContext: DICOM_APPLICATION_CONTEXT,
      presentationContexts: [
        { id: 1, result: 0, transferSyntax: TS.implicitLittle },
        { id: 3, result: 0, transferSyntax: TS.implicitLittle }, // not offered upstream
        { id: 7, result: 0, transferSyntax: '1.2.840.10008.1.2.4.50' },
      ],
      userInfo: { maxLength: 4096, roleSelections: [{ sopClass: CT, scu: false, scp: true }], extendedNegotiations: [], commonExtendedNegotiations: [], unknown: [] },
    };
    const p = planAssociation({ rq: rq(), allows: (s, scp) => s !== 'store' || scp, upstreamCalledAe: 'PACS_UT', gatewayAe: 'BROKER', maxPduLength: 65536 });
    const out = clientAssociateAc(rq(), p, ac, 65536);
    expect(out.presentationContexts.map((c) => [c.id, c.result])).toEqual([
      [1, PC_RESULT.acceptance],
      [3, PC_RESULT.noReason],
      [5, PC_RESULT.transferSyntaxesNotSupported],
      [7, PC_RESULT.acceptance],
      [9, PC_RESULT.abstractSyntaxNotSupported],
    ]);
    expect(out).toMatchObject({ calledAe: 'PACS_RAD', callingAe: 'ALICE_WS' });
    expect(out.userInfo.maxLength).toBe(4096);
    expect(p.forwarded.get(3)?.transferSyntax).toBeUndefined();
    expect(p.forwarded.get(1)?.transferSyntax).toBe(TS.implicitLittle);
  });
});

describe('classifySopClass', () => {
  it.each([
    [VERIFY, 'echo'],
    [FIND, 'find'],
    ['1.2.840.10008.5.1.4.31', 'find'],
    [GET, 'get'],
    ['1.2.840.10008.5.1.4.1.2.2.2', 'move'],
    [CT, 'store'],
    ['1.2.840.10008.5.1.4.1.1.', undefined],
    [COMMIT, undefined],
    ['1.2.3.4', undefined],
  ])('%s → %s', (uid, service) => expect(classifySopClass(uid)).toBe(service));
});

describe('createMessageTracker', () => {
  const echo = encodeCommandSet({ commandField: COMMAND.cEchoRq, messageId: 1, affectedSopClass: VERIFY, dataSetType: NO_DATASET });
  const find = encodeCommandSet({ commandField: COMMAND.cFindRq, messageId: 2, affectedSopClass: FIND, dataSetType: 0 });
  const pdv = (contextId: number, command: boolean, last: boolean, data: Buffer): Pdv => ({ contextId, command, last, data });
  const fresh = () => createMessageTracker((id) => id === 1 || id === 3);

  it('assembles a command split into fragments, then its data set', () => {
    const t = fresh();
    expect(t.track(pdv(3, true, false, find.subarray(0, 10)))).toEqual({ kind: 'command-fragment' });
    expect(t.track(pdv(3, true, true, find.subarray(10)))).toMatchObject({ kind: 'command', hasData: true, command: { commandField: COMMAND.cFindRq } });
    expect(t.track(pdv(3, false, false, Buffer.alloc(2)))).toEqual({ kind: 'data', last: false });
    expect(t.track(pdv(3, false, true, Buffer.alloc(2)))).toEqual({ kind: 'data', last: true });
    expect(t.idle).toBe(true);
  });

  const violations: Array<[string, Pdv[], string]> = [
    ['a data fragment before any command', [pdv(1, false, true, Buffer.alloc(2))], 'data-before-command'],
    ['data before the last command fragment', [pdv(3, true, false, find.subarray(0, 10)), pdv(3, false, true, Buffer.alloc(2))], 'fragments-out-of-order'],
    ['a command fragment inside a data set', [pdv(3, true, true, find), pdv(3, true, true, echo)], 'fragments-out-of-order'],
    ['a fragment on another context mid-message', [pdv(3, true, false, find.subarray(0, 10)), pdv(1, true, true, find.subarray(10))], 'fragments-out-of-order'],
    ['a PDV on a context that was not accepted', [pdv(5, true, true, echo)], 'context-unknown'],
    ['a command set without CommandField', [pdv(1, true, true, encodeCommandSet({ commandField: 1, dataSetType: NO_DATASET }).subarray(0, 12))], 'command-field-missing'],
    ['a command set over the limit', Array.from({ length: 3 }, () => pdv(1, true, false, Buffer.alloc(8000))), 'command-too-large'],
  ];
  it.each(violations)('refuses %s', (_n, pdvs, code) => {
    const t = fresh();
    const results = pdvs.map((p) => t.track(p));
    expect(results.at(-1)).toMatchObject({ kind: 'violation', code });
  });
});
