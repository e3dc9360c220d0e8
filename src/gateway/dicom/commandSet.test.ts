// DIMSE command sets: round trip, real captures, and each malformed shape refused.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeCommandSet, encodeCommandSet, responseFor, type CommandSet } from './commandSet.js';
import { COMMAND, NO_DATASET, PDU } from './constants.js';
import { createPduReader, isPduError } from './createPduReader.js';
import { decodePdu } from './decodePdu.js';
import type { PData } from './pduTypes.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/gateway/dicom/fixtures');

const el = (element: number, value: Buffer) => {
  const h = Buffer.alloc(8);
  h.writeUInt16LE(0, 0);
  h.writeUInt16LE(element, 2);
  h.writeUInt32LE(value.length, 4);
  return Buffer.concat([h, value]);
};
const us = (n: number) => {
  const b = Buffer.alloc(2);
  b.writeUInt16LE(n, 0);
  return b;
};

/** The command sets in a capture, in order. */
function commands(file: string): CommandSet[] {
  const r = createPduReader({ maxPduLength: 1 << 24, maxAssociateLength: 1 << 20 });
  r.push(readFileSync(path.join(FIXTURES, file)));
  const out: CommandSet[] = [];
  let parts: Buffer[] = [];
  for (let p = r.next(); p; p = r.next()) {
    if (isPduError(p)) throw new Error(p.code);
    if (p.type !== PDU.pData) continue;
    const d = decodePdu(p.raw);
    if (!d.ok) throw new Error(d.error.code);
    for (const v of (d.value as PData).pdvs) {
      if (!v.command) continue;
      parts.push(v.data);
      if (v.last) {
        const c = decodeCommandSet(Buffer.concat(parts));
        if (!c.ok) throw new Error(c.error);
        out.push(c.value);
        parts = [];
      }
    }
  }
  return out;
}

describe('DIMSE command sets', () => {
  it('reads the C-GET request and the C-STORE sub-operations of a real getscu/Orthanc exchange', () => {
    const [get] = commands('get.scu.bin');
    expect(get).toMatchObject({ commandField: COMMAND.cGetRq, affectedSopClass: '1.2.840.10008.5.1.4.1.2.2.3', priority: 0 });
    expect(get!.dataSetType).not.toBe(NO_DATASET);
    const fromPacs = commands('get.scp.bin');
    expect(fromPacs.filter((c) => c.commandField === COMMAND.cStoreRq)).toHaveLength(2);
    expect(fromPacs.at(-1)).toMatchObject({ commandField: COMMAND.cGetRsp, status: 0, completed: 2 });
  });

  it('round-trips every field it knows (property)', () => {
    const uid = fc.array(fc.integer({ min: 0, max: 99999 }), { minLength: 1, maxLength: 8 }).map((a) => a.join('.'));
    const u16 = fc.integer({ min: 0, max: 0xffff });
    const cmd = fc.record(
      {
        commandField: u16,
        messageId: u16,
        messageIdBeingRespondedTo: u16,
        affectedSopClass: uid,
        requestedSopClass: uid,
        affectedSopInstance: uid,
        moveDestination: fc.stringMatching(/^[A-Z0-9_]{1,16}$/),
        priority: u16,
        dataSetType: u16,
        status: u16,
        remaining: u16,
        completed: u16,
        failed: u16,
        warning: u16,
        moveOriginatorAe: fc.stringMatching(/^[A-Z0-9_]{1,16}$/),
        moveOriginatorMessageId: u16,
        errorComment: fc.stringMatching(/^[A-Za-z0-9]([A-Za-z0-9 ]{0,20}[A-Za-z0-9])?$/),
      },
      { requiredKeys: ['commandField', 'dataSetType'] },
    );
    fc.assert(
      fc.property(cmd, (c) => {
        expect(decodeCommandSet(encodeCommandSet(c))).toEqual({ ok: true, value: c });
      }),
      { numRuns: 1000 },
    );
  });

  it('builds a refused response that answers the request', () => {
    const rq: CommandSet = { commandField: COMMAND.cMoveRq, messageId: 7, affectedSopClass: '1.2.840.10008.5.1.4.1.2.2.2', dataSetType: 0, moveDestination: 'X' };
    const d = decodeCommandSet(encodeCommandSet(responseFor(rq, 0x0124)));
    expect(d).toEqual({ ok: true, value: { commandField: COMMAND.cMoveRsp, messageIdBeingRespondedTo: 7, affectedSopClass: rq.affectedSopClass, dataSetType: NO_DATASET, status: 0x0124 } });
  });

  const cases: Array<[string, Buffer, string]> = [
    ['a command set without CommandField', Buffer.concat([el(0x0110, us(1)), el(0x0800, us(NO_DATASET))]), 'command-field-missing'],
    ['an element header cut short', Buffer.concat([el(0x0100, us(0x30)), Buffer.alloc(5)]), 'command-truncated'],
    ['a value that runs past the command set', el(0x0100, us(0x30)).subarray(0, 9), 'command-truncated'],
    ['an element outside group 0000', Buffer.from([8, 0, 0x52, 0, 2, 0, 0, 0, 0x41, 0x41]), 'command-element-invalid'],
    ['elements out of order', Buffer.concat([el(0x0110, us(1)), el(0x0100, us(0x30))]), 'command-order'],
    ['a repeated element', Buffer.concat([el(0x0100, us(0x30)), el(0x0100, us(0x30))]), 'command-order'],
    ['a CommandField of 4 bytes', el(0x0100, Buffer.alloc(4)), 'command-element-invalid'],
    ['a SOP class that is not a UID', Buffer.concat([el(0x0002, Buffer.from('1.2.3;rm')), el(0x0100, us(1))]), 'command-element-invalid'],
    ['a move destination with a control character', Buffer.concat([el(0x0100, us(0x21)), el(0x0600, Buffer.from('EV\x01L '))]), 'command-element-invalid'],
    ['a command set over the limit', Buffer.concat([el(0x0100, us(0x30)), el(0x0902, Buffer.alloc(20_000, 0x41))]), 'command-too-large'],
  ];
  it.each(cases)('refuses %s', (_n, bytes, error) => {
    expect(decodeCommandSet(bytes)).toMatchObject({ ok: false, error });
  });
});
