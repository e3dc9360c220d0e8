import { describe, expect, it } from 'vitest';
import { dicomwebRoutes } from './dicomwebRoutes.js';
import type { DicomwebClassification, DicomwebRequest } from './dicomwebTypes.js';
import { parseDicomwebRequest } from './parseDicomwebRequest.js';

const root = '/dicom-web';
const ST = '1.2.840.113619.2.55.3.604688119.969.1268071029.320';
const SE = '1.2.840.113619.2.55.3.604688119.969.1268071029.321';
const IN = '1.2.840.113619.2.55.3.604688119.969.1268071029.322';
const I = `/dicom-web/studies/${ST}/series/${SE}/instances/${IN}`;
const parse = (rawUrl: string, method = 'GET', extra: { upstreamRoot?: string; maxQidoLimit?: number } = {}) =>
  parseDicomwebRequest({ method, rawUrl, root, ...extra });

/** Plain-object view of a result so URLSearchParams compare by content. */
const view = (r: DicomwebClassification) => (r.ok ? { ...r, query: r.query.toString() } : r);

describe('parseDicomwebRequest: the allow-list', () => {
  const accepts: [rule: string, method: string, url: string, expected: Partial<Omit<DicomwebRequest, 'query'>> & { query?: string }][] = [
    ['classifies a study search as a bounded query', 'GET', '/dicom-web/studies', { route: 'qido.studies', action: 'dicomweb.query', kind: 'qido', level: 'studies', upstreamPath: '/dicom-web/studies?limit=1000' }],
    ['classifies a series search within a study as a query on that study', 'GET', `/dicom-web/studies/${ST}/series`, { action: 'dicomweb.query', level: 'series', study: ST }],
    ['classifies an instance search within a series', 'GET', `/dicom-web/studies/${ST}/series/${SE}/instances`, { action: 'dicomweb.query', level: 'instances', study: ST, series: SE }],
    ['classifies an instance search within a study', 'GET', `/dicom-web/studies/${ST}/instances`, { route: 'qido.study.instances', level: 'instances', study: ST }],
    ['classifies a study-less series search as a query without a study', 'GET', '/dicom-web/series', { action: 'dicomweb.query', level: 'series', study: undefined }],
    ['classifies a study-less instance search as a query', 'GET', '/dicom-web/instances', { action: 'dicomweb.query', level: 'instances' }],
    ['confines a study search to the single StudyInstanceUID it filters on', 'GET', `/dicom-web/studies?StudyInstanceUID=${ST}`, { action: 'dicomweb.query', study: ST }],
    ['classifies a study retrieve as a retrieve of that study', 'GET', `/dicom-web/studies/${ST}`, { action: 'dicomweb.retrieve', kind: 'wado-rs', level: 'studies', study: ST, variant: undefined }],
    ['classifies study metadata as a retrieve', 'GET', `/dicom-web/studies/${ST}/metadata`, { action: 'dicomweb.retrieve', variant: 'metadata', level: 'studies' }],
    ['classifies a rendered study as a retrieve', 'GET', `/dicom-web/studies/${ST}/rendered`, { variant: 'rendered', level: 'studies' }],
    ['classifies a study thumbnail as a retrieve', 'GET', `/dicom-web/studies/${ST}/thumbnail`, { variant: 'thumbnail', level: 'studies' }],
    ['classifies a series retrieve', 'GET', `/dicom-web/studies/${ST}/series/${SE}`, { level: 'series', study: ST, series: SE }],
    ['classifies series metadata', 'GET', `/dicom-web/studies/${ST}/series/${SE}/metadata`, { level: 'series', variant: 'metadata' }],
    ['classifies a rendered series', 'GET', `/dicom-web/studies/${ST}/series/${SE}/rendered`, { level: 'series', variant: 'rendered' }],
    ['classifies a series thumbnail', 'GET', `/dicom-web/studies/${ST}/series/${SE}/thumbnail`, { level: 'series', variant: 'thumbnail' }],
    ['classifies an instance retrieve with all three UIDs', 'GET', I, { level: 'instances', study: ST, series: SE, instance: IN, upstreamPath: I }],
    ['classifies instance metadata', 'GET', `${I}/metadata`, { level: 'instances', variant: 'metadata' }],
    ['classifies a rendered instance with its options in canonical order', 'GET', `${I}/rendered?quality=90&viewport=512,512`, { variant: 'rendered', query: 'viewport=512%2C512&quality=90' }],
    ['classifies an instance thumbnail', 'GET', `${I}/thumbnail?viewport=64,64`, { variant: 'thumbnail' }],
    ['classifies a frame list, keeping request order', 'GET', `${I}/frames/3,1,2`, { level: 'frames', variant: 'frames', frames: [3, 1, 2], upstreamPath: `${I}/frames/3,1,2` }],
    ['classifies rendered frames', 'GET', `${I}/frames/1/rendered?window=40,400,linear`, { level: 'frames', variant: 'rendered', frames: [1] }],
    ['accepts a list of exactly 1000 frames', 'GET', `${I}/frames/${Array.from({ length: 1000 }, (_, i) => i + 1).join(',')}`, { level: 'frames' }],
    ['treats HEAD like GET and reports the method', 'HEAD', `/dicom-web/studies/${ST}`, { method: 'HEAD', action: 'dicomweb.retrieve' }],
    ['classifies POST to /studies as a store', 'POST', '/dicom-web/studies', { action: 'dicomweb.store', kind: 'stow', level: 'studies', upstreamPath: '/dicom-web/studies' }],
    ['classifies POST to /studies/{st} as a store into that study', 'POST', `/dicom-web/studies/${ST}`, { route: 'stow.study', action: 'dicomweb.store', study: ST }],
    ['accepts the smallest UIDs ("0", "1.0")', 'GET', '/dicom-web/studies/1.0/series/0', { study: '1.0', series: '0' }],
    ['accepts a 64-character UID', 'GET', `/dicom-web/studies/1.${'2'.repeat(62)}`, { study: `1.${'2'.repeat(62)}` }],
    ['drops an empty query from the upstream target', 'GET', `/dicom-web/studies/${ST}?`, { upstreamPath: `/dicom-web/studies/${ST}` }],
    ['rebuilds the upstream target under the upstream root', 'GET', `/dicom-web/studies/${ST}`, { upstreamPath: `/orthanc/dicom-web/studies/${ST}` }],
  ];
  it.each(accepts)('%s', (rule, method, url, expected) => {
    const extra = rule.includes('upstream root') ? { upstreamRoot: '/orthanc/dicom-web' } : {};
    const r = parse(url, method, extra);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    const v = view(r) as Record<string, unknown>;
    for (const [k, want] of Object.entries(expected)) expect(v[k], k).toEqual(want);
    // Round trip: the rebuilt upstream target classifies identically under the upstream root.
    if (r.ok) expect(view(parseDicomwebRequest({ method, rawUrl: r.upstreamPath, root: extra.upstreamRoot ?? root }))).toEqual(v);
  });

  const rejects: [rule: string, method: string, url: string, status: number, reason: string][] = [
    ['answers 404 outside the configured root', 'GET', '/tools/execute-script', 404, 'outside-root'],
    ['answers 404 for a root prefix that only shares characters', 'GET', '/dicom-webx/studies', 404, 'outside-root'],
    ['denies the bare root', 'GET', '/dicom-web', 403, 'route-not-allowed'],
    ['denies Orthanc plugin pivot routes', 'GET', '/dicom-web/servers', 403, 'route-not-allowed'],
    ['denies /servers/{id}/retrieve pivots', 'POST', '/dicom-web/servers/pacs2/retrieve', 403, 'route-not-allowed'],
    ['denies keywords in another case', 'GET', '/dicom-web/Studies', 403, 'route-not-allowed'],
    ['denies extra segments after a resource', 'GET', `/dicom-web/studies/${ST}/metadata/x`, 403, 'route-not-allowed'],
    ['denies frame thumbnails (not offered)', 'GET', `${I}/frames/1/thumbnail`, 403, 'route-not-allowed'],
    ['denies series-level frames', 'GET', `/dicom-web/studies/${ST}/series/${SE}/frames/1`, 403, 'route-not-allowed'],
    ['denies bulkdata under an instance', 'GET', `${I}/bulkdata/7FE00010`, 403, 'bulkdata-not-allowed'],
    ['denies Orthanc-style /bulk under an instance', 'GET', `${I}/bulk/7fe00010`, 403, 'bulkdata-not-allowed'],
    ['denies a matrix-parameter trick on a keyword', 'GET', '/dicom-web/studies;x=1', 403, 'route-not-allowed'],
    ['answers 405 for DELETE on a study (vendor delete extension)', 'DELETE', `/dicom-web/studies/${ST}`, 405, 'method-not-allowed'],
    ['answers 405 for PUT on a search', 'PUT', '/dicom-web/studies', 405, 'method-not-allowed'],
    ['answers 405 for POST on a series (no series-level STOW)', 'POST', `/dicom-web/studies/${ST}/series/${SE}`, 405, 'method-not-allowed'],
    ['answers 405 for POST to study-less /series', 'POST', '/dicom-web/series', 405, 'method-not-allowed'],
    ['answers 405 for a lower-case method (methods are case-sensitive)', 'get', '/dicom-web/studies', 405, 'method-not-allowed'],
    ['answers 405 for TRACE', 'TRACE', '/dicom-web/studies', 405, 'method-not-allowed'],
    ['denies an unknown route before judging its method', 'DELETE', '/dicom-web/tools', 403, 'route-not-allowed'],
    ['refuses a 65-character UID', 'GET', `/dicom-web/studies/1.${'2'.repeat(63)}`, 400, 'bad-uid'],
    ['refuses a very long UID', 'GET', `/dicom-web/studies/${'1.'.repeat(2000)}1`, 400, 'bad-uid'],
    ['refuses a UID with a leading dot', 'GET', '/dicom-web/studies/.1.2', 400, 'bad-uid'],
    ['refuses a UID with a trailing dot', 'GET', '/dicom-web/studies/1.2.', 400, 'bad-uid'],
    ['refuses a UID with a double dot', 'GET', '/dicom-web/studies/1..2', 400, 'bad-uid'],
    ['refuses a UID component with a leading zero', 'GET', '/dicom-web/studies/1.02.3', 400, 'bad-uid'],
    ['refuses a UID with letters', 'GET', '/dicom-web/studies/1.2.abc', 400, 'bad-uid'],
    ['refuses a UID with a dash (Orthanc native ids are not UIDs)', 'GET', '/dicom-web/studies/6b9e19d9-62094390-5f9ddb01-4a191ae7-9766b715', 400, 'bad-uid'],
    ['refuses a keyword where a UID belongs', 'GET', '/dicom-web/studies/metadata', 400, 'bad-uid'],
    ['refuses a bad series UID in a search path', 'GET', `/dicom-web/studies/${ST}/series/1.02/instances`, 400, 'bad-uid'],
    ['refuses a bad instance UID on STOW paths too', 'POST', '/dicom-web/studies/01.2', 400, 'bad-uid'],
    ['refuses frame 0', 'GET', `${I}/frames/0`, 400, 'bad-frame-list'],
    ['refuses a negative frame', 'GET', `${I}/frames/-1`, 400, 'bad-frame-list'],
    ['refuses a frame with a leading zero', 'GET', `${I}/frames/01`, 400, 'bad-frame-list'],
    ['refuses duplicate frames', 'GET', `${I}/frames/1,2,1`, 400, 'bad-frame-list'],
    ['refuses an empty frame entry', 'GET', `${I}/frames/1,,2`, 400, 'bad-frame-list'],
    ['refuses a trailing comma in a frame list', 'GET', `${I}/frames/1,`, 400, 'bad-frame-list'],
    ['refuses more than 1000 frames', 'GET', `${I}/frames/${Array.from({ length: 1001 }, (_, i) => i + 1).join(',')}`, 400, 'bad-frame-list'],
    ['refuses a frame number above 2^31-1', 'GET', `${I}/frames/2147483648`, 400, 'bad-frame-list'],
    ['refuses a frame range syntax', 'GET', `${I}/frames/1-5`, 400, 'bad-frame-list'],
    ['refuses a query on a plain retrieve', 'GET', `/dicom-web/studies/${ST}?accept=application/dicom`, 400, 'query-not-allowed'],
    ['refuses a query on STOW', 'POST', '/dicom-web/studies?x=1', 400, 'query-not-allowed'],
    ['refuses encoded traversal before routing', 'GET', '/dicom-web/studies/%2e%2e/%2e%2e/tools', 400, 'encoded-dot'],
    ['refuses a trailing slash on a search', 'GET', '/dicom-web/studies/', 400, 'trailing-slash'],
    ['refuses a trailing slash on the root', 'GET', '/dicom-web/', 400, 'trailing-slash'],
    ['refuses an over-long URL with 414', 'GET', `/dicom-web/studies?PatientID=${'a'.repeat(9000)}`, 414, 'uri-too-long'],
    ['refuses rendered options not offered (iccprofile)', 'GET', `${I}/rendered?iccprofile=srgb`, 400, 'query-param-not-allowed'],
    ['refuses thumbnail options other than viewport', 'GET', `${I}/thumbnail?quality=50`, 400, 'query-param-not-allowed'],
    ['refuses a repeated rendered option', 'GET', `${I}/rendered?quality=50&quality=60`, 400, 'query-param-repeated'],
    ['refuses a malformed window', 'GET', `${I}/rendered?window=40,400,cubic`, 400, 'query-value-invalid'],
    ['refuses a quality above 100', 'GET', `${I}/rendered?quality=101`, 400, 'query-value-invalid'],
  ];
  it.each(rejects)('%s', (_rule, method, url, status, reason) => {
    expect(parse(url, method)).toMatchObject({ ok: false, status, reason });
  });

  it('lists the methods the resource accepts on a 405', () => {
    expect(parse(`/dicom-web/studies/${ST}`, 'DELETE')).toMatchObject({ allow: ['GET', 'HEAD', 'POST'] });
    expect(parse(`${I}`, 'POST')).toMatchObject({ allow: ['GET', 'HEAD'] });
  });

  it('gives every allow-list row a unique id and a (pattern, method) that no other row has', () => {
    const ids = dicomwebRoutes.map((r) => r.id);
    expect(new Set(ids).size).toBe(ids.length);
    const keys = dicomwebRoutes.map((r) => `${r.method} ${r.pattern.map((p) => (typeof p === 'string' ? p : `{${p.param}}`)).join('/')}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe('parseDicomwebRequest: QIDO query parameters', () => {
  const accepts: [rule: string, url: string, query: string][] = [
    ['applies the default limit cap when none is given', '/dicom-web/studies', 'limit=1000'],
    ['keeps a client limit within the cap', '/dicom-web/studies?limit=25&offset=50', 'limit=25&offset=50'],
    ['orders keys canonically and re-encodes values', '/dicom-web/studies?StudyDate=20240101-20240131&PatientName=Doe%5EJ*', 'PatientName=Doe%5EJ*&StudyDate=20240101-20240131&limit=1000'],
    ['accepts empty matching values (return keys)', '/dicom-web/studies?PatientID=', 'PatientID=&limit=1000'],
    ['accepts UID lists', `/dicom-web/studies?StudyInstanceUID=1.2,1.3`, 'StudyInstanceUID=1.2%2C1.3&limit=1000'],
    ['accepts repeated includefield', '/dicom-web/studies?includefield=00081030&includefield=PatientAge,all', 'includefield=00081030&includefield=PatientAge%2Call&limit=1000'],
    ['accepts fuzzymatching=true', '/dicom-web/studies?fuzzymatching=true', 'fuzzymatching=true&limit=1000'],
    ['accepts open date ranges', '/dicom-web/studies?StudyDate=-20240101', 'StudyDate=-20240101&limit=1000'],
    ['accepts a modality list', '/dicom-web/studies?ModalitiesInStudy=CT,MR', 'ModalitiesInStudy=CT%2CMR&limit=1000'],
    ['accepts a query UID equal to the path UID', `/dicom-web/studies/${ST}/series?StudyInstanceUID=${ST}`, `StudyInstanceUID=${ST}&limit=1000`],
    ['decodes + as space in PatientName', '/dicom-web/studies?PatientName=van+Dam*', 'PatientName=van+Dam*&limit=1000'],
    ['accepts UTF-8 names encoded in the query', '/dicom-web/studies?PatientName=M%C3%BCller', 'PatientName=M%C3%BCller&limit=1000'],
  ];
  it.each(accepts)('%s', (_rule, url, query) => {
    const r = parse(url);
    expect(r.ok, JSON.stringify(r)).toBe(true);
    if (r.ok) expect(r.query.toString()).toBe(query);
  });
  it('maps an 8-hex tag to its keyword (any hex case)', () => {
    const r = parse('/dicom-web/studies?0020000d=1.2&00100020=X');
    expect(r.ok && r.query.toString()).toBe('StudyInstanceUID=1.2&PatientID=X&limit=1000');
  });

  const rejects: [rule: string, url: string, reason: string][] = [
    ['refuses an unknown parameter', '/dicom-web/studies?PatientBirthDate=19700101', 'query-param-not-allowed'],
    ['refuses an unknown tag', '/dicom-web/studies?00100030=19700101', 'query-param-not-allowed'],
    ['refuses a sequence-path tag', '/dicom-web/studies?00081110.00081150=1.2', 'query-param-not-allowed'],
    ['refuses a parameter name in another case', '/dicom-web/studies?patientid=1', 'query-param-not-allowed'],
    ['refuses a repeated matching key', '/dicom-web/studies?PatientID=1&PatientID=2', 'query-param-repeated'],
    ['refuses a keyword and its tag together', '/dicom-web/studies?PatientID=1&00100020=2', 'query-param-repeated'],
    ['refuses a repeated limit', '/dicom-web/studies?limit=1&limit=2', 'query-param-repeated'],
    ['refuses a limit above the cap', '/dicom-web/studies?limit=1001', 'query-value-invalid'],
    ['refuses limit=0', '/dicom-web/studies?limit=0', 'query-value-invalid'],
    ['refuses a non-numeric offset', '/dicom-web/studies?offset=-1', 'query-value-invalid'],
    ['refuses fuzzymatching other than true/false', '/dicom-web/studies?fuzzymatching=yes', 'query-value-invalid'],
    ['refuses a bad UID in a UID filter', '/dicom-web/studies?StudyInstanceUID=1.02', 'query-value-invalid'],
    ['refuses wildcards in UID matching', '/dicom-web/studies?StudyInstanceUID=1.2*', 'query-value-invalid'],
    ['refuses a PatientID longer than 64 (LO)', `/dicom-web/studies?PatientID=${'9'.repeat(65)}`, 'query-value-invalid'],
    ['refuses an AccessionNumber longer than 16 (SH)', `/dicom-web/studies?AccessionNumber=${'9'.repeat(17)}`, 'query-value-invalid'],
    ['refuses an encoded backslash (multi-value) in PatientID', '/dicom-web/studies?PatientID=1%5C2', 'query-value-invalid'],
    ['refuses an impossible date', '/dicom-web/studies?StudyDate=20241301', 'query-value-invalid'],
    ['refuses a reversed date range', '/dicom-web/studies?StudyDate=20240201-20240101', 'query-value-invalid'],
    ['refuses a lower-case modality', '/dicom-web/studies?ModalitiesInStudy=ct', 'query-value-invalid'],
    ['refuses includefield with junk', '/dicom-web/studies?includefield=../x', 'query-value-invalid'],
    ['refuses an encoded NUL in a value', '/dicom-web/studies?PatientID=1%00', 'control-char'],
    ['refuses an encoded CRLF in a value', '/dicom-web/studies?PatientID=1%0d%0aX', 'control-char'],
    ['refuses a bidi override in a value', '/dicom-web/studies?PatientName=%E2%80%AEeoD', 'control-char'],
    ['refuses overlong UTF-8 in a value', '/dicom-web/studies?PatientName=%c0%ae', 'bad-query'],
    ['refuses a malformed escape in a value', '/dicom-web/studies?PatientName=%zz', 'bad-query'],
    ['refuses an empty query piece', '/dicom-web/studies?limit=1&&offset=1', 'bad-query'],
    ['refuses a parameter without "="', '/dicom-web/studies?fuzzymatching', 'bad-query'],
    ['refuses a query UID that contradicts the path', `/dicom-web/studies/${ST}/series?StudyInstanceUID=1.2`, 'query-conflicts-path'],
    ['refuses more than 64 parameters', `/dicom-web/studies?${Array.from({ length: 65 }, () => 'includefield=all').join('&')}`, 'bad-query'],
  ];
  it.each(rejects)('%s', (_rule, url, reason) => {
    expect(parse(url)).toMatchObject({ ok: false, status: 400, reason });
  });

  it('applies a configured lower cap both as default and as maximum', () => {
    expect(view(parse('/dicom-web/series', 'GET', { maxQidoLimit: 50 }))).toMatchObject({ query: 'limit=50' });
    expect(parse('/dicom-web/series?limit=51', 'GET', { maxQidoLimit: 50 })).toMatchObject({ reason: 'query-value-invalid' });
  });

  it('does not confine a search to a study when it filters on several', () => {
    const r = parse('/dicom-web/studies?StudyInstanceUID=1.2,1.3');
    expect(r.ok && r.study).toBeUndefined();
  });
});
