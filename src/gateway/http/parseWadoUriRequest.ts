// Classifies a WADO-URI request (PS3.18 9): one instance, all three UIDs named and valid.
import { reject, type DicomwebClassification, type DicomwebRequest } from './dicomwebTypes.js';
import { isValidUid } from './isValidUid.js';
import { normalizePath, rootSegments } from './normalizePath.js';
import { splitQuery } from './splitQuery.js';

export interface ParseWadoUriInput {
  method: string;
  rawUrl: string;
  /** The public WADO-URI endpoint, e.g. `/wado`. */
  wadoRoot: string;
  /** The upstream's WADO-URI endpoint; defaults to `wadoRoot`. */
  upstreamWadoRoot?: string;
}

const num = /^-?(?:0|[1-9][0-9]{0,6})(?:\.[0-9]{1,6})?$/;
const dim = /^[1-9][0-9]{0,3}$/;
/** Parameters offered, in canonical order, with their grammar (PS3.18 9.1.2). */
const PARAMS: readonly [string, (v: string) => boolean][] = [
  ['requestType', (v) => v === 'WADO'],
  ['studyUID', isValidUid],
  ['seriesUID', isValidUid],
  ['objectUID', isValidUid],
  ['contentType', (v) => ['application/dicom', 'image/jpeg', 'image/png', 'image/gif', 'image/jp2'].includes(v)],
  ['transferSyntax', isValidUid],
  ['frameNumber', (v) => /^[1-9][0-9]{0,9}$/.test(v) && Number(v) <= 2 ** 31 - 1],
  ['rows', (v) => dim.test(v)],
  ['columns', (v) => dim.test(v)],
  ['windowCenter', (v) => num.test(v)],
  ['windowWidth', (v) => num.test(v)],
  ['imageQuality', (v) => /^(?:[1-9][0-9]?|100)$/.test(v)],
];
const REQUIRED = ['requestType', 'studyUID', 'seriesUID', 'objectUID'];

export function parseWadoUriRequest(input: ParseWadoUriInput): DicomwebClassification {
  const prefix = rootSegments(input.wadoRoot);
  const upstreamPrefix = rootSegments(input.upstreamWadoRoot ?? input.wadoRoot);
  const target = normalizePath(input.rawUrl);
  if (!target.ok) return target;
  const { segments, rawQuery } = target;
  if (segments.length < prefix.length || prefix.some((s, i) => segments[i] !== s)) return reject(404, 'outside-root', 'not a WADO-URI path');
  if (segments.length !== prefix.length) return reject(403, 'route-not-allowed', 'route is not allowed');
  if (input.method !== 'GET' && input.method !== 'HEAD') return reject(405, 'method-not-allowed', 'WADO-URI is GET only', ['GET', 'HEAD']);

  const pairs = splitQuery(rawQuery);
  if (!Array.isArray(pairs)) return pairs;
  const got = new Map<string, string>();
  for (const [name, value] of pairs) {
    const spec = PARAMS.find(([n]) => n === name);
    if (!spec) return reject(400, 'query-param-not-allowed', 'query parameter is not allowed');
    if (got.has(name)) return reject(400, 'query-param-repeated', `${name} given more than once`);
    if (!spec[1](value)) return reject(400, name.endsWith('UID') ? 'bad-uid' : 'query-value-invalid', `${name} value is not allowed`);
    got.set(name, value);
  }
  const missing = REQUIRED.find((n) => !got.has(n));
  if (missing) return reject(400, 'query-param-missing', `${missing} is required`);

  const query = new URLSearchParams();
  for (const [name] of PARAMS) {
    const v = got.get(name);
    if (v !== undefined) query.append(name, v);
  }
  const out: DicomwebRequest = {
    ok: true,
    method: input.method,
    route: 'wado-uri',
    action: 'dicomweb.retrieve',
    kind: 'wado-uri',
    level: 'instances',
    study: got.get('studyUID') ?? '',
    series: got.get('seriesUID') ?? '',
    instance: got.get('objectUID') ?? '',
    query,
    upstreamPath: `/${upstreamPrefix.join('/')}?${query.toString()}`,
  };
  const frame = got.get('frameNumber');
  if (frame !== undefined) out.frames = [Number(frame)];
  return out;
}
