import { describe, expect, it } from 'vitest';
import { MAX_URL_LENGTH, normalizePath, rootSegments } from './normalizePath.js';

const S = '/dicom-web/studies';

describe('normalizePath', () => {
  const rejects: [rule: string, rawUrl: string, status: number, reason: string][] = [
    ['refuses a request target over 8 KiB with 414', `${S}?PatientID=${'x'.repeat(MAX_URL_LENGTH)}`, 414, 'uri-too-long'],
    ['refuses a raw NUL', `${S}\u0000/1.2`, 400, 'control-char'],
    ['refuses a raw tab', `${S}\t`, 400, 'control-char'],
    ['refuses a raw CR/LF (request splitting)', `${S}\r\nX: y`, 400, 'control-char'],
    ['refuses a raw DEL', `${S}\u007f`, 400, 'control-char'],
    ['refuses raw non-ASCII', `${S}/1.2\u00e9`, 400, 'non-ascii'],
    ['refuses a raw fullwidth slash', `/dicom-web\uff0fstudies`, 400, 'non-ascii'],
    ['refuses absolute-form targets', 'http://pacs/dicom-web/studies', 400, 'bad-request-target'],
    ['refuses the asterisk target', '*', 400, 'bad-request-target'],
    ['refuses an empty target', '', 400, 'bad-request-target'],
    ['refuses a raw backslash', '/dicom-web\\studies', 400, 'backslash'],
    ['refuses a backslash traversal', '/dicom-web/studies/..\\..\\admin', 400, 'backslash'],
    ['refuses a raw space', `${S}/1 2`, 400, 'bad-char'],
    ['refuses a fragment', `${S}#x`, 400, 'bad-char'],
    ['refuses a raw pipe in the path', `${S}|x`, 400, 'bad-char'],
    ['refuses an encoded slash %2f', '/dicom-web/studies%2f1.2', 400, 'encoded-separator'],
    ['refuses an encoded slash %2F (upper case)', '/dicom-web/studies%2F1.2', 400, 'encoded-separator'],
    ['refuses an encoded backslash %5c', '/dicom-web/studies%5c1.2', 400, 'encoded-separator'],
    ['refuses an encoded backslash %5C', '/dicom-web/studies%5C1.2', 400, 'encoded-separator'],
    ['refuses encoded traversal %2e%2e%2f', '/dicom-web/%2e%2e%2fadmin', 400, 'encoded-dot'],
    ['refuses mixed-case encoded dots %2E%2e', '/dicom-web/%2E%2e/tools', 400, 'encoded-dot'],
    ['refuses half-encoded traversal .%2e', '/dicom-web/.%2e/tools', 400, 'encoded-dot'],
    ['refuses ..%2f', '/dicom-web/studies/..%2f..%2ftools', 400, 'encoded-separator'],
    ['refuses double-encoded dots %252e', '/dicom-web/%252e%252e/tools', 400, 'double-encoding'],
    ['refuses double-encoded slash %252f', '/dicom-web/studies%252f1.2', 400, 'double-encoding'],
    ['refuses overlong UTF-8 dot %c0%ae', '/dicom-web/%c0%ae%c0%ae/tools', 400, 'non-ascii'],
    ['refuses overlong UTF-8 slash %c0%af', '/dicom-web/studies%c0%af1.2', 400, 'non-ascii'],
    ['refuses encoded NUL %00', '/dicom-web/studies/1.2%00.jpg', 400, 'control-char'],
    ['refuses encoded CRLF %0d%0a', '/dicom-web/studies%0D%0A', 400, 'control-char'],
    ['refuses a malformed escape', '/dicom-web/studies%zz', 400, 'bad-percent-encoding'],
    ['refuses a truncated escape', '/dicom-web/studies%2', 400, 'bad-percent-encoding'],
    ['refuses any other encoding in the path, e.g. %31 for "1"', '/dicom-web/studies/%31.2', 400, 'encoded-path'],
    ['refuses an encoded letter in a keyword', '/dicom-web/%73tudies', 400, 'encoded-path'],
    ['refuses the dot-segment ..', '/dicom-web/studies/../tools', 400, 'dot-segment'],
    ['refuses the dot-segment .', '/dicom-web/./studies', 400, 'dot-segment'],
    ['refuses a leading double slash (scheme-relative)', '//evil.example/dicom-web/studies', 400, 'empty-segment'],
    ['refuses a double slash inside the path', '/dicom-web//studies', 400, 'empty-segment'],
    ['refuses a trailing slash', '/dicom-web/studies/', 400, 'trailing-slash'],
    ['refuses a trailing slash before the query', '/dicom-web/studies/?limit=1', 400, 'trailing-slash'],
    ['refuses a raw backslash in the query', `${S}?PatientID=a\\b`, 400, 'backslash'],
    ['refuses a raw space in the query', `${S}?PatientName=a b`, 400, 'bad-char'],
  ];
  it.each(rejects)('%s', (_rule, rawUrl, status, reason) => {
    expect(normalizePath(rawUrl)).toMatchObject({ ok: false, status, reason });
  });

  const accepts: [rule: string, rawUrl: string, segments: string[], rawQuery: string | null][] = [
    ['accepts the bare root path as no segments', '/', [], null],
    ['splits a plain path into segments', '/dicom-web/studies/1.2.3', ['dicom-web', 'studies', '1.2.3'], null],
    ['keeps the raw query undecoded', `${S}?PatientName=Doe%5EJ*`, ['dicom-web', 'studies'], 'PatientName=Doe%5EJ*'],
    ['allows a raw caret in the query (PN separator)', `${S}?PatientName=Doe^J`, ['dicom-web', 'studies'], 'PatientName=Doe^J'],
    ['distinguishes an empty query from none', `${S}?`, ['dicom-web', 'studies'], ''],
    ['accepts exactly 8 KiB', `${S}?x=${'a'.repeat(MAX_URL_LENGTH - S.length - 3)}`, ['dicom-web', 'studies'], `x=${'a'.repeat(MAX_URL_LENGTH - S.length - 3)}`],
  ];
  it.each(accepts)('%s', (_rule, rawUrl, segments, rawQuery) => {
    expect(normalizePath(rawUrl)).toEqual({ ok: true, segments, rawQuery });
  });

  it.each([['/dicom-web/'], ['dicom-web'], ['/a//b'], ['/a/..'], ['/a b']])('rejects the malformed configured root %j by throwing', (root) => {
    expect(() => rootSegments(root)).toThrow(TypeError);
  });
  it('reads "/" as an empty root', () => expect(rootSegments('/')).toEqual([]));
});
