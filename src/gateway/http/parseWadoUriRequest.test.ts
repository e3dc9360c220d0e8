import { describe, expect, it } from 'vitest';
import { parseWadoUriRequest } from './parseWadoUriRequest.js';

const base = 'requestType=WADO&studyUID=1.2.3&seriesUID=1.2.3.4&objectUID=1.2.3.4.5';
const parse = (rawUrl: string, method = 'GET') => parseWadoUriRequest({ method, rawUrl, wadoRoot: '/wado' });

describe('parseWadoUriRequest', () => {
  it('classifies a WADO-URI get as a retrieve of one instance with all three UIDs', () => {
    const r = parse(`/wado?objectUID=1.2.3.4.5&contentType=application/dicom&seriesUID=1.2.3.4&studyUID=1.2.3&requestType=WADO`);
    expect(r).toMatchObject({ ok: true, action: 'dicomweb.retrieve', kind: 'wado-uri', level: 'instances', study: '1.2.3', series: '1.2.3.4', instance: '1.2.3.4.5' });
    expect(r.ok && r.upstreamPath).toBe(`/wado?${base}&contentType=application%2Fdicom`);
  });
  it('re-parses its own upstream target to the same result', () => {
    const r = parse(`/wado?${base}&frameNumber=2&rows=256`);
    expect(r.ok).toBe(true);
    if (r.ok) expect({ ...parse(r.upstreamPath), query: '' }).toEqual({ ...r, query: '' });
  });
  const rejects: [rule: string, method: string, url: string, status: number, reason: string][] = [
    ['requires requestType=WADO', 'GET', '/wado?studyUID=1.2&seriesUID=1.3&objectUID=1.4', 400, 'query-param-missing'],
    ['requires objectUID', 'GET', '/wado?requestType=WADO&studyUID=1.2&seriesUID=1.3', 400, 'query-param-missing'],
    ['refuses another requestType', 'GET', '/wado?requestType=wado&studyUID=1.2&seriesUID=1.3&objectUID=1.4', 400, 'query-value-invalid'],
    ['refuses a bad studyUID', 'GET', `/wado?requestType=WADO&studyUID=1.02&seriesUID=1.3&objectUID=1.4`, 400, 'bad-uid'],
    ['refuses an over-long objectUID', 'GET', `/wado?requestType=WADO&studyUID=1.2&seriesUID=1.3&objectUID=1.${'1'.repeat(64)}`, 400, 'bad-uid'],
    ['refuses a repeated UID (parameter pollution)', 'GET', `/wado?${base}&objectUID=1.9`, 400, 'query-param-repeated'],
    ['refuses an unlisted parameter (anonymize)', 'GET', `/wado?${base}&anonymize=yes`, 400, 'query-param-not-allowed'],
    ['refuses an unlisted contentType', 'GET', `/wado?${base}&contentType=text/html`, 400, 'query-value-invalid'],
    ['answers 405 for POST', 'POST', `/wado?${base}`, 405, 'method-not-allowed'],
    ['denies paths below the endpoint', 'GET', `/wado/x?${base}`, 403, 'route-not-allowed'],
    ['answers 404 elsewhere', 'GET', `/wadox?${base}`, 404, 'outside-root'],
    ['refuses a trailing slash on the endpoint', 'GET', `/wado/?${base}`, 400, 'trailing-slash'],
  ];
  it.each(rejects)('%s', (_rule, method, url, status, reason) => {
    expect(parse(url, method)).toMatchObject({ ok: false, status, reason });
  });
});
