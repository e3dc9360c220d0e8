import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { isValidUid } from '../http/index.js';
import { SYNTHETIC_UID_ROOT, syntheticDump, type SyntheticInstanceFields } from './syntheticDump.js';

const template = ['# comment', '(0008,0018) UI [1.2.3]', '(0010,0020) LO [OLD]', '(7fe0,0010) OB 00\\01', ''].join('\n');
const f: SyntheticInstanceFields = {
  studyUid: `${SYNTHETIC_UID_ROOT}.7.1`,
  seriesUid: `${SYNTHETIC_UID_ROOT}.7.1.2`,
  sopUid: `${SYNTHETIC_UID_ROOT}.7.1.2.3`,
  patientId: 'SYN7-1',
  patientName: 'Synthetic^Patient',
  accessionNumber: 'A7-1',
  studyDate: '20240105',
  institutionName: 'Radgate Synthetic Hospital',
  referringPhysician: 'Synthetic^Referrer',
  department: 'Radiology',
  studyId: 'S1',
  seriesNumber: 2,
  instanceNumber: 3,
  studyDescription: 'Synthetic',
};

describe('syntheticDump', () => {
  it('replaces identity tags, adds missing ones and keeps pixel data, in tag order', () => {
    const out = syntheticDump(template, f);
    expect(out).toContain(`(0008,0018) UI [${f.sopUid}]`);
    expect(out).toContain('(0010,0020) LO [SYN7-1]');
    expect(out).not.toContain('OLD');
    expect(out).toContain('(0008,1040) LO [Radiology]');
    expect(out).toContain('(7fe0,0010) OB 00\\01');
    const tags = out.split('\n').filter((l) => l.startsWith('(')).map((l) => l.slice(1, 10).toLowerCase());
    expect(tags).toEqual([...tags].sort());
    expect(tags.at(-1)).toBe('7fe0,0010');
  });

  it('refuses values that could break out of a dump line', () => {
    expect(() => syntheticDump(template, { ...f, patientId: 'X]\n(0010,0010) PN [Real' })).toThrow(/not allowed/);
  });

  it('refuses an invalid UID', () => {
    expect(() => syntheticDump(template, { ...f, sopUid: '1.02.3' })).toThrow(/UID/);
  });

  it('uses a test root that is a valid UID', () => {
    expect(isValidUid(SYNTHETIC_UID_ROOT)).toBe(true);
  });
});
