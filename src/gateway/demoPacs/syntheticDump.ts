// Rewrites the synthetic fixture's dcmdump text with per-instance identities (never real patient data).
import { isValidUid } from '../http/index.js';

/** Fixed test UID root (PS3.5 9.1: digits and dots, components without leading zeros). */
export const SYNTHETIC_UID_ROOT = '1.2.826.0.1.3680043.10.1234';

export interface SyntheticInstanceFields {
  studyUid: string;
  seriesUid: string;
  sopUid: string;
  patientId: string;
  patientName: string;
  accessionNumber: string;
  /** YYYYMMDD */
  studyDate: string;
  institutionName: string;
  referringPhysician: string;
  department: string;
  studyId: string;
  seriesNumber: number;
  instanceNumber: number;
  studyDescription: string;
}

// Characters a value may hold inside a dcmdump `[...]` without ending it or breaking the line.
const SAFE_VALUE = /^[A-Za-z0-9 ^._\-]*$/;

/** Replace or add the identity tags in a dcmdump text; other lines are kept as they are. */
export function syntheticDump(template: string, f: SyntheticInstanceFields): string {
  for (const uid of [f.studyUid, f.seriesUid, f.sopUid]) {
    if (!isValidUid(uid)) throw new TypeError(`not a valid UID: ${uid}`);
  }
  if (!/^[0-9]{8}$/.test(f.studyDate)) throw new TypeError('studyDate: expected YYYYMMDD');
  const values: Array<[string, string, string]> = [
    ['0008,0018', 'UI', f.sopUid],
    ['0008,0020', 'DA', f.studyDate],
    ['0008,0021', 'DA', f.studyDate],
    ['0008,0050', 'SH', f.accessionNumber],
    ['0008,0080', 'LO', f.institutionName],
    ['0008,0090', 'PN', f.referringPhysician],
    ['0008,1030', 'LO', f.studyDescription],
    ['0008,1040', 'LO', f.department],
    ['0010,0010', 'PN', f.patientName],
    ['0010,0020', 'LO', f.patientId],
    ['0020,000d', 'UI', f.studyUid],
    ['0020,000e', 'UI', f.seriesUid],
    ['0020,0010', 'SH', f.studyId],
    ['0020,0011', 'IS', String(f.seriesNumber)],
    ['0020,0013', 'IS', String(f.instanceNumber)],
  ];
  const replaced = new Map<string, string>();
  for (const [tag, vr, value] of values) {
    if (!SAFE_VALUE.test(value)) throw new TypeError(`(${tag}): value has characters not allowed in a synthetic dump`);
    // PS3.5 6.2: SH ≤ 16, LO ≤ 64, PN ≤ 64 per component group, UI ≤ 64.
    const max = vr === 'SH' ? 16 : vr === 'IS' ? 12 : 64;
    if (value.length > max) throw new TypeError(`(${tag}): longer than ${max} characters`);
    replaced.set(tag, `(${tag}) ${vr} [${value}]`);
  }
  const out: Array<[string, string]> = [];
  for (const line of template.split('\n')) {
    const m = /^\(([0-9a-fA-F]{4},[0-9a-fA-F]{4})\)/.exec(line);
    if (!m) {
      if (line.trim() !== '') out.push(['', line]);
      continue;
    }
    const tag = m[1]!.toLowerCase();
    if (!replaced.has(tag)) out.push([tag, line]);
  }
  for (const [tag, line] of replaced) out.push([tag, line]);
  // dcmdump order: comments first, then ascending tags.
  out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return `${out.map(([, l]) => l).join('\n')}\n`;
}
