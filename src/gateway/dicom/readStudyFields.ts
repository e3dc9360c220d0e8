// Bounded scan of a DICOM data set (implicit or explicit VR little endian, PS3.5 7.1)
// for the two facts the gateway decides on: QueryRetrieveLevel (0008,0052) and
// StudyInstanceUID (0020,000D). Stops at the first tag past (0020,000D), so a C-STORE
// is judged from its first bytes; skips nested sequences to a bounded depth.

export type StudyFieldsResult =
  | { status: 'done'; level?: string; studyUids: string[] }
  | { status: 'need-more' }
  | { status: 'error'; detail: string };

const QR_LEVEL = 0x00080052;
const STUDY_UID = 0x0020000d;
const ITEM_TAG = 0xfffee000;
const ITEM_DELIM = 0xfffee00d;
const SEQ_DELIM = 0xfffee0dd;
const UNDEFINED = 0xffffffff;
const MAX_DEPTH = 8;
const MAX_ELEMENTS = 20_000;
const MAX_UIDS = 16;
/** PS3.5 7.1.2: explicit VRs with a 2-byte reserved field and a 4-byte length. */
const LONG_VRS = new Set(['OB', 'OD', 'OF', 'OL', 'OV', 'OW', 'SQ', 'SV', 'UC', 'UN', 'UR', 'UT', 'UV']);
const UID = /^[0-9]+(\.[0-9]+)*$/;

class NeedMore extends Error {}
class Bad extends Error {}

/**
 * `complete`: the buffer holds the whole data set (an identifier), so running out of
 * bytes inside an element is an error rather than a reason to wait.
 */
export function readStudyFields(buf: Buffer, explicit: boolean, complete: boolean): StudyFieldsResult {
  let count = 0;
  const need = (off: number, n: number) => {
    if (off + n > buf.length) throw complete ? new Bad('data set cut short') : new NeedMore();
  };
  /** Reads one element header at `off`: tag, VR (explicit only), value length, header size. */
  const header = (off: number, exp: boolean) => {
    if (++count > MAX_ELEMENTS) throw new Bad('too many elements');
    need(off, 8);
    const tag = ((buf.readUInt16LE(off) << 16) | buf.readUInt16LE(off + 2)) >>> 0;
    // Item and delimiter tags are always implicit-form (PS3.5 7.5).
    if (!exp || (tag & 0xffff0000) >>> 0 === 0xfffe0000) return { tag, vr: '', len: buf.readUInt32LE(off + 4), size: 8 };
    const vr = buf.toString('latin1', off + 4, off + 6);
    if (!/^[A-Z]{2}$/.test(vr)) throw new Bad(`invalid VR at offset ${off}`);
    if (LONG_VRS.has(vr)) {
      need(off, 12);
      return { tag, vr, len: buf.readUInt32LE(off + 8), size: 12 };
    }
    return { tag, vr, len: buf.readUInt16LE(off + 6), size: 8 };
  };
  /** Skips an undefined-length sequence (or encapsulated value) starting at `off`; returns the offset after it. */
  const skipUndefined = (start: number, depth: number, exp: boolean): number => {
    if (depth > MAX_DEPTH) throw new Bad('sequences nested too deep');
    let off = start;
    for (;;) {
      const h = header(off, false);
      off += 8;
      if (h.tag === SEQ_DELIM) return off;
      if (h.tag !== ITEM_TAG) throw new Bad('expected an item in a sequence');
      if (h.len !== UNDEFINED) {
        need(off, h.len);
        off += h.len;
        continue;
      }
      // Undefined-length item: elements until the item delimiter.
      for (;;) {
        const e = header(off, exp);
        if (e.tag === ITEM_DELIM) {
          off += 8;
          break;
        }
        off += e.size;
        if (e.len === UNDEFINED) off = skipUndefined(off, depth + 1, exp);
        else {
          need(off, e.len);
          off += e.len;
        }
      }
    }
  };

  let level: string | undefined;
  let studyUids: string[] = [];
  let off = 0;
  let last = -1;
  try {
    while (off < buf.length) {
      const h = header(off, explicit);
      if (h.tag <= last) throw new Bad('elements out of order');
      last = h.tag;
      if ((h.tag & 0xffff0000) >>> 0 === 0xfffe0000) throw new Bad('item tag at the top level');
      if (h.tag > STUDY_UID) return { status: 'done', ...(level !== undefined ? { level } : {}), studyUids };
      off += h.size;
      if (h.len === UNDEFINED) {
        if (explicit && h.vr !== 'SQ' && h.vr !== 'UN' && h.vr !== 'OB' && h.vr !== 'OW') throw new Bad(`undefined length on VR ${h.vr}`);
        off = skipUndefined(off, 1, explicit);
        continue;
      }
      need(off, h.len);
      if (h.tag === QR_LEVEL) level = text(buf.subarray(off, off + h.len));
      if (h.tag === STUDY_UID) studyUids = uids(buf.subarray(off, off + h.len));
      off += h.len;
    }
  } catch (err) {
    if (err instanceof NeedMore) return { status: 'need-more' };
    if (err instanceof Bad) return { status: 'error', detail: err.message };
    throw err;
  }
  return complete ? { status: 'done', ...(level !== undefined ? { level } : {}), studyUids } : { status: 'need-more' };
}

function text(v: Buffer): string {
  const s = v.toString('latin1').replace(/[\0 ]+$/, '').replace(/^ +/, '');
  if (/[\x00-\x1f\x7f]/.test(s)) throw new Bad('control characters in a code string');
  return s;
}

function uids(v: Buffer): string[] {
  const s = text(v);
  if (s === '') return [];
  const list = s.split('\\');
  if (list.length > MAX_UIDS) throw new Bad('too many study UIDs');
  for (const u of list) if (u.length > 64 || !UID.test(u)) throw new Bad('StudyInstanceUID is not a UID');
  return list;
}
