// Classifies one DICOMweb request against the allow-list; pure, and the only way a path reaches upstream.
import { BULKDATA_SEGMENTS, dicomwebRoutes, type DicomwebRoute } from './dicomwebRoutes.js';
import { reject, type DicomwebClassification, type DicomwebMethod, type DicomwebRequest } from './dicomwebTypes.js';
import { isValidUid, parseFrameList } from './isValidUid.js';
import { normalizePath, rootSegments } from './normalizePath.js';
import { parseQidoQuery } from './parseQidoQuery.js';
import { parseRenderedQuery } from './parseRenderedQuery.js';

/** Default and largest QIDO `limit`. */
export const DEFAULT_MAX_QIDO_LIMIT = 1000;

export interface ParseDicomwebInput {
  /** HTTP method exactly as received (methods are case-sensitive, RFC 9110 9.1). */
  method: string;
  /** The raw request target (`req.url`), never pre-decoded. */
  rawUrl: string;
  /** The public DICOMweb prefix, e.g. `/dicom-web`. */
  root: string;
  /** The upstream's DICOMweb prefix; defaults to `root`. */
  upstreamRoot?: string;
  /** Largest QIDO `limit`, also applied when absent; defaults to 1000. */
  maxQidoLimit?: number;
}

export function parseDicomwebRequest(input: ParseDicomwebInput): DicomwebClassification {
  const prefix = rootSegments(input.root);
  const upstreamPrefix = rootSegments(input.upstreamRoot ?? input.root);

  // 1. One spelling per resource, before anything is matched.
  const target = normalizePath(input.rawUrl);
  if (!target.ok) return target;
  const { segments, rawQuery } = target;

  // 2. Only paths under the configured prefix are DICOMweb at all.
  if (segments.length < prefix.length || prefix.some((s, i) => segments[i] !== s)) {
    return reject(404, 'outside-root', 'not a DICOMweb path');
  }
  const rest = segments.slice(prefix.length);

  // 3. Allow-list by shape; bulkdata is named so its refusal is explainable.
  if (rest[0] === 'studies' && rest[2] === 'series' && rest[4] === 'instances' && BULKDATA_SEGMENTS.includes(rest[6] ?? '')) {
    return reject(403, 'bulkdata-not-allowed', 'bulkdata retrieval is not offered through the gateway');
  }
  const shaped = dicomwebRoutes.filter((r) => r.pattern.length === rest.length && r.pattern.every((p, i) => typeof p !== 'string' || p === rest[i]));
  if (shaped.length === 0) return reject(403, 'route-not-allowed', 'route is not allowed');

  // 4. Method: HEAD is GET without a body; anything else on a known resource is 405.
  const wanted = input.method === 'HEAD' ? 'GET' : input.method;
  const route = shaped.find((r) => r.method === wanted);
  if (!route || (input.method !== 'GET' && input.method !== 'HEAD' && input.method !== 'POST')) {
    const allow: DicomwebMethod[] = shaped.flatMap((r): DicomwebMethod[] => (r.method === 'GET' ? ['GET', 'HEAD'] : ['POST']));
    return reject(405, 'method-not-allowed', 'method not allowed on this resource', allow);
  }

  // 5. Path parameters: UIDs per PS3.5 9.1, frame lists bounded.
  const parts: { study?: string; series?: string; instance?: string; frames?: number[] } = {};
  for (let i = 0; i < route.pattern.length; i++) {
    const p = route.pattern[i];
    const v = rest[i] ?? '';
    if (p === undefined || typeof p === 'string') continue;
    if (p.param === 'frames') {
      const frames = parseFrameList(v);
      if (!frames) return reject(400, 'bad-frame-list', 'frame list must be up to 1000 distinct positive integers, comma-separated');
      parts.frames = frames;
    } else {
      if (!isValidUid(v)) return reject(400, 'bad-uid', `${p.param} UID is not a valid DICOM UID`);
      parts[p.param] = v;
    }
  }

  // 6. Query, by the grammar the route declares.
  let query = new URLSearchParams();
  let study = parts.study;
  if (route.query === 'qido') {
    const q = parseQidoQuery(rawQuery, parts, { maxLimit: input.maxQidoLimit ?? DEFAULT_MAX_QIDO_LIMIT });
    if ('ok' in q) return q;
    query = q.query;
    study = q.study;
  } else if (route.query === 'rendered' || route.query === 'thumbnail') {
    const q = parseRenderedQuery(rawQuery, route.query);
    if (!(q instanceof URLSearchParams)) return q;
    query = q;
  } else if (rawQuery !== null && rawQuery !== '') {
    return reject(400, 'query-not-allowed', 'this resource takes no query parameters');
  }

  // 7. The upstream target is rebuilt from parsed parts, never copied from the input.
  return build(route, input.method as DicomwebMethod, { ...parts, study }, query, upstreamPrefix);
}

function build(
  route: DicomwebRoute,
  method: DicomwebMethod,
  parts: { study?: string | undefined; series?: string; instance?: string; frames?: number[] },
  query: URLSearchParams,
  upstreamPrefix: string[],
): DicomwebRequest {
  const path = route.pattern.map((p) => (typeof p === 'string' ? p : p.param === 'frames' ? (parts.frames ?? []).join(',') : parts[p.param] ?? ''));
  const qs = query.toString();
  const out: DicomwebRequest = {
    ok: true,
    method,
    route: route.id,
    action: route.action,
    kind: route.kind,
    level: route.level,
    query,
    upstreamPath: `/${[...upstreamPrefix, ...path].join('/')}${qs ? `?${qs}` : ''}`,
  };
  if (route.variant) out.variant = route.variant;
  if (parts.study) out.study = parts.study;
  if (parts.series) out.series = parts.series;
  if (parts.instance) out.instance = parts.instance;
  if (parts.frames) out.frames = parts.frames;
  return out;
}
