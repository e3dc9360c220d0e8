// Strict query-string decoding shared by QIDO, rendered and WADO-URI grammars.
import { reject, type DicomwebRejection } from './dicomwebTypes.js';

/** Most parameters accepted in one query. */
export const MAX_QUERY_PARAMS = 64;

/**
 * Splits `a=1&b=2` into decoded pairs. Refuses empty pieces (`&&`, trailing `&`), pieces without `=`,
 * malformed or non-UTF-8 percent-encoding (including overlong forms such as `%c0%ae`), parameter
 * names that are not plain ASCII alphanumerics, and control characters in values.
 */
export function splitQuery(raw: string | null): [string, string][] | DicomwebRejection {
  if (raw === null || raw === '') return [];
  const pieces = raw.split('&');
  if (pieces.length > MAX_QUERY_PARAMS) return reject(400, 'bad-query', `more than ${MAX_QUERY_PARAMS} query parameters`);
  const out: [string, string][] = [];
  for (const piece of pieces) {
    const eq = piece.indexOf('=');
    if (piece === '' || eq <= 0) return reject(400, 'bad-query', 'query parameters must be name=value');
    const name = decode(piece.slice(0, eq));
    const value = decode(piece.slice(eq + 1));
    if (name === null || value === null) return reject(400, 'bad-query', 'malformed percent-encoding in query');
    if (!/^[A-Za-z0-9]{1,64}$/.test(name)) return reject(400, 'query-param-not-allowed', 'query parameter name is not allowed');
    // C0, DEL and C1 controls; line/paragraph separators and bidi overrides that disguise values in logs.
    if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/.test(value)) {
      return reject(400, 'control-char', 'control character in query value');
    }
    out.push([name, value]);
  }
  return out;
}

function decode(s: string): string | null {
  try {
    // application/x-www-form-urlencoded: '+' is a space; decodeURIComponent rejects invalid/overlong UTF-8.
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return null;
  }
}
