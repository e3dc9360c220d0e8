// Bounded identifier / data set scan: implicit and explicit VR, nested sequences,
// incremental arrival, and malformed data sets.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PDU } from './constants.js';
import { createPduReader, isPduError } from './createPduReader.js';
import { decodePdu } from './decodePdu.js';
import type { PData } from './pduTypes.js';
import { readStudyFields } from './readStudyFields.js';

const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../test/gateway/dicom/fixtures');

function tag(g: number, e: number) {
  const b = Buffer.alloc(4);
  b.writeUInt16LE(g, 0);
  b.writeUInt16LE(e, 2);
  return b;
}
function imp(g: number, e: number, v: Buffer | string, len?: number) {
  const value = typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
  const l = Buffer.alloc(4);
  l.writeUInt32LE(len ?? value.length, 0);
  return Buffer.concat([tag(g, e), l, value]);
}
function exp(g: number, e: number, vr: string, v: Buffer | string, undefinedLength = false) {
  const value = typeof v === 'string' ? Buffer.from(v, 'latin1') : v;
  const long = ['OB', 'OW', 'SQ', 'UN', 'UT'].includes(vr);
  const h = Buffer.alloc(long ? 8 : 4);
  h.write(vr, 0, 'latin1');
  if (long) h.writeUInt32LE(undefinedLength ? 0xffffffff : value.length, 4);
  else h.writeUInt16LE(value.length, 2);
  return Buffer.concat([tag(g, e), h, value]);
}
const itemStart = (len = 0xffffffff) => imp(0xfffe, 0xe000, Buffer.alloc(0), len);
const itemEnd = imp(0xfffe, 0xe00d, Buffer.alloc(0));
const seqEnd = imp(0xfffe, 0xe0dd, Buffer.alloc(0));
const STUDY = '1.2.826.0.1.3680043.10.1234.1';

describe('readStudyFields', () => {
  it('reads level and study UID from an implicit VR identifier', () => {
    const id = Buffer.concat([imp(0x0008, 0x0052, 'STUDY '), imp(0x0010, 0x0020, ''), imp(0x0020, 0x000d, STUDY + '\0')]);
    expect(readStudyFields(id, false, true)).toEqual({ status: 'done', level: 'STUDY', studyUids: [STUDY] });
  });

  it('reads an explicit VR identifier with an undefined-length sequence before the study UID', () => {
    const seq = Buffer.concat([itemStart(), exp(0x0008, 0x1150, 'UI', '1.2.3\0'), itemEnd, itemStart(8), Buffer.alloc(8), seqEnd]);
    const id = Buffer.concat([exp(0x0008, 0x0052, 'CS', 'SERIES'), exp(0x0008, 0x1110, 'SQ', seq, true), exp(0x0020, 0x000d, 'UI', STUDY + '\0')]);
    expect(readStudyFields(id, true, true)).toEqual({ status: 'done', level: 'SERIES', studyUids: [STUDY] });
  });

  it('reads a list of study UIDs (C-FIND list matching)', () => {
    const id = imp(0x0020, 0x000d, `${STUDY}\\1.2.3`);
    expect(readStudyFields(id, false, true)).toEqual({ status: 'done', studyUids: [STUDY, '1.2.3'] });
  });

  it('asks for more bytes until the study UID has passed, then stops (C-STORE streaming)', () => {
    const head = Buffer.concat([exp(0x0008, 0x0016, 'UI', '1.2.840.10008.5.1.4.1.1.7\0'), exp(0x0020, 0x000d, 'UI', STUDY + '\0')]);
    const rest = Buffer.concat([exp(0x0020, 0x000e, 'UI', '1.2.3.4'), exp(0x7fe0, 0x0010, 'OW', Buffer.alloc(64))]);
    expect(readStudyFields(head.subarray(0, 20), true, false)).toEqual({ status: 'need-more' });
    expect(readStudyFields(head, true, false)).toEqual({ status: 'need-more' });
    expect(readStudyFields(Buffer.concat([head, rest.subarray(0, 8)]), true, false)).toEqual({ status: 'done', studyUids: [STUDY] });
  });

  it('finds the study UID in the C-STORE data sets of a real capture', () => {
    const r = createPduReader({ maxPduLength: 1 << 24, maxAssociateLength: 1 << 20 });
    r.push(readFileSync(path.join(FIXTURES, 'store.scu.bin')));
    const found: string[] = [];
    for (let p = r.next(); p; p = r.next()) {
      if (isPduError(p) || p.type !== PDU.pData) continue;
      const d = decodePdu(p.raw);
      for (const v of d.ok ? (d.value as PData).pdvs : []) {
        if (v.command) continue;
        const f = readStudyFields(v.data, true, false);
        if (f.status === 'done') found.push(...f.studyUids);
      }
    }
    expect(found).toHaveLength(2);
    expect(found[0]).toMatch(/^1\.2\.826\.0\.1\.3680043\.10\.1234\.4242\./);
  });

  const bad: Array<[string, Buffer, boolean]> = [
    ['a truncated identifier', imp(0x0020, 0x000d, STUDY).subarray(0, 12), false],
    ['a value length past the end', imp(0x0008, 0x0052, 'STUDY', 400), false],
    ['elements out of order', Buffer.concat([imp(0x0020, 0x000d, STUDY), imp(0x0008, 0x0052, 'STUDY')]), false],
    ['an item tag at the top level', itemStart(0), false],
    ['an invalid explicit VR', Buffer.concat([tag(0x0008, 0x0052), Buffer.from('??'), Buffer.from([2, 0]), Buffer.from('ST')]), true],
    ['an undefined length on a CS', exp(0x0008, 0x0052, 'UT', '', true).fill(0x43, 4, 5).fill(0x53, 5, 6), true],
    ['a study UID that is not a UID', imp(0x0020, 0x000d, '1.2.abc'), false],
    ['too many study UIDs', imp(0x0020, 0x000d, Array.from({ length: 20 }, (_, i) => `1.${i}`).join('\\')), false],
    ['control characters in the level', imp(0x0008, 0x0052, 'ST\x07Y'), false],
    ['a sequence that never ends', Buffer.concat([imp(0x0008, 0x1110, Buffer.alloc(0), 0xffffffff), itemStart(4), Buffer.alloc(4)]), false],
    ['sequences nested too deep', Buffer.concat([imp(0x0008, 0x1110, Buffer.alloc(0), 0xffffffff), ...Array.from({ length: 12 }, () => Buffer.concat([itemStart(), imp(0x0008, 0x1110, Buffer.alloc(0), 0xffffffff)]))]), false],
  ];
  it.each(bad)('refuses %s when the identifier is complete', (_n, bytes, explicit) => {
    expect(readStudyFields(bytes, explicit, true)).toMatchObject({ status: 'error' });
  });
});
