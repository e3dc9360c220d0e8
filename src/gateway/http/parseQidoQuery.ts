// QIDO-RS query keys (PS3.18 8.3.4): a documented allow-list with bounded, typed values.
import { isValidUid } from './isValidUid.js';
import { reject, type DicomwebRejection } from './dicomwebTypes.js';
import { splitQuery } from './splitQuery.js';

type Check = (v: string) => boolean;

const MAX_UIDS_IN_LIST = 100;
// PS3.18 8.3.4.1 UID list matching: comma-separated UIDs, no wildcards.
const uidList: Check = (v) => v === '' || (v.split(',').length <= MAX_UIDS_IN_LIST && v.split(',').every(isValidUid));
// PS3.5 6.2 value representations: bounded length, single-valued (no backslash), no controls (checked earlier).
const text = (max: number): Check => (v) => v.length <= max && !v.includes('\\');
// PN: up to three component groups of 64 characters each.
const personName: Check = (v) => !v.includes('\\') && v.split('=').length <= 3 && v.split('=').every((g) => g.length <= 64);
const codeList: Check = (v) => v === '' || /^[A-Z0-9_ ]{1,16}(?:,[A-Z0-9_ ]{1,16}){0,15}$/.test(v);
// PS3.18 8.3.4.1 range matching on DA: date, date-, -date or date-date.
const dateRange: Check = (v) => {
  if (v === '') return true;
  const m = /^(\d{8})?(-)?(\d{8})?$/.exec(v);
  if (!m || (!m[1] && !m[3]) || (m[1] && m[3] && !m[2])) return false;
  return [m[1], m[3]].every((d) => d === undefined || isDate(d)) && !(m[1] && m[3] && m[1] > m[3]);
};
function isDate(d: string): boolean {
  const mo = Number(d.slice(4, 6));
  const da = Number(d.slice(6, 8));
  return mo >= 1 && mo <= 12 && da >= 1 && da <= 31;
}

/** Matching keys: keyword, its tag, and its value grammar. Order here is the canonical output order. */
export const QIDO_MATCH_KEYS: readonly { keyword: string; tag: string; check: Check }[] = [
  { keyword: 'StudyInstanceUID', tag: '0020000D', check: uidList },
  { keyword: 'SeriesInstanceUID', tag: '0020000E', check: uidList },
  { keyword: 'SOPInstanceUID', tag: '00080018', check: uidList },
  { keyword: 'PatientID', tag: '00100020', check: text(64) },
  { keyword: 'PatientName', tag: '00100010', check: personName },
  { keyword: 'StudyDate', tag: '00080020', check: dateRange },
  { keyword: 'AccessionNumber', tag: '00080050', check: text(16) },
  { keyword: 'ModalitiesInStudy', tag: '00080061', check: codeList },
  { keyword: 'Modality', tag: '00080060', check: codeList },
];

const byName = new Map<string, (typeof QIDO_MATCH_KEYS)[number]>();
for (const k of QIDO_MATCH_KEYS) {
  byName.set(k.keyword, k);
  byName.set(k.tag, k); // tags are matched upper-cased below
}

const MAX_INCLUDE_FIELDS = 64;
const includeItem = /^(?:all|[A-Za-z][A-Za-z0-9]{0,63}|[0-9A-Fa-f]{8})$/;

export interface QidoQueryOptions {
  /** Largest `limit` accepted, and the limit applied when the client sends none. */
  maxLimit: number;
}

export interface QidoPathParts {
  study?: string;
  series?: string;
}

export interface QidoQuery {
  query: URLSearchParams;
  /** The single StudyInstanceUID the search is confined to, if any. */
  study?: string;
}

export function parseQidoQuery(raw: string | null, path: QidoPathParts, opts: QidoQueryOptions): QidoQuery | DicomwebRejection {
  const pairs = splitQuery(raw);
  if (!Array.isArray(pairs)) return pairs;
  const match = new Map<string, string>();
  const include: string[] = [];
  const control = new Map<string, string>();
  for (const [name, value] of pairs) {
    const key = byName.get(/^[0-9A-Fa-f]{8}$/.test(name) ? name.toUpperCase() : name);
    if (key) {
      if (match.has(key.keyword)) return reject(400, 'query-param-repeated', `${key.keyword} given more than once`);
      if (!key.check(value)) return reject(400, 'query-value-invalid', `${key.keyword} value is not allowed`);
      match.set(key.keyword, value);
    } else if (name === 'includefield') {
      // PS3.18 8.3.4.3: includefield may repeat; each is a comma list of keywords, tags or "all".
      const items = value.split(',');
      if (!items.every((i) => includeItem.test(i)) || include.length + items.length > MAX_INCLUDE_FIELDS) {
        return reject(400, 'query-value-invalid', 'includefield value is not allowed');
      }
      include.push(value);
    } else if (name === 'limit' || name === 'offset' || name === 'fuzzymatching') {
      if (control.has(name)) return reject(400, 'query-param-repeated', `${name} given more than once`);
      if (!controlValueOk(name, value, opts.maxLimit)) return reject(400, 'query-value-invalid', `${name} value is not allowed`);
      control.set(name, value);
    } else {
      return reject(400, 'query-param-not-allowed', 'query parameter is not allowed');
    }
  }
  const qStudy = match.get('StudyInstanceUID');
  const qSeries = match.get('SeriesInstanceUID');
  if ((path.study && qStudy && qStudy !== path.study) || (path.series && qSeries && qSeries !== path.series)) {
    return reject(400, 'query-conflicts-path', 'query UID contradicts the UID in the path');
  }

  const query = new URLSearchParams();
  for (const k of QIDO_MATCH_KEYS) {
    const v = match.get(k.keyword);
    if (v !== undefined) query.append(k.keyword, v);
  }
  for (const v of include) query.append('includefield', v);
  const fuzzy = control.get('fuzzymatching');
  if (fuzzy !== undefined) query.append('fuzzymatching', fuzzy);
  // Every search is bounded: absent limit means the configured cap.
  query.append('limit', control.get('limit') ?? String(opts.maxLimit));
  const offset = control.get('offset');
  if (offset !== undefined) query.append('offset', offset);

  const study = path.study ?? (qStudy && !qStudy.includes(',') ? qStudy : undefined);
  return study ? { query, study } : { query };
}

function controlValueOk(name: string, v: string, maxLimit: number): boolean {
  if (name === 'fuzzymatching') return v === 'true' || v === 'false';
  if (name === 'limit') return /^[1-9][0-9]{0,6}$/.test(v) && Number(v) <= maxLimit;
  return /^(?:0|[1-9][0-9]{0,8})$/.test(v); // offset
}
