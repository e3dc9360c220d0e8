// Strict request-target normalisation: one spelling per resource, refused before any routing.
import { reject, type DicomwebRejection } from './dicomwebTypes.js';

/** Longest request target accepted; longer is 414. */
export const MAX_URL_LENGTH = 8 * 1024;

export interface NormalizedTarget {
  ok: true;
  /** Path segments, none empty, none a dot-segment, none percent-encoded. `/` is `[]`. */
  segments: string[];
  /** Raw query after the first `?` (still encoded), or null when there is no `?`. */
  rawQuery: string | null;
}

// RFC 3986 pchar plus '/'; '%' is allowed here only so classifyPercent can name what it encodes.
const PATH_CHAR = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/%]$/;
// RFC 3986 query chars, plus '^' (PN component separator that common clients send raw).
const QUERY_CHAR = /^[A-Za-z0-9\-._~!$&'()*+,;=:@/?%^]$/;

/**
 * Checks a raw origin-form request target (`req.url`) and splits it into path segments and raw query.
 * Policy: no percent-encoding at all in the path (no allowed DICOMweb path needs it; UIDs are digits
 * and dots), no dot-segments, no empty segments (so no `//` and no trailing slash), ASCII only.
 */
export function normalizePath(rawUrl: string): NormalizedTarget | DicomwebRejection {
  if (rawUrl.length > MAX_URL_LENGTH) return reject(414, 'uri-too-long', `request target longer than ${MAX_URL_LENGTH} bytes`);
  for (let i = 0; i < rawUrl.length; i++) {
    const c = rawUrl.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return reject(400, 'control-char', 'control character in request target');
    if (c > 0x7e) return reject(400, 'non-ascii', 'non-ASCII character in request target');
  }
  // RFC 9112 3.2: a server target is origin-form; absolute-form, authority-form and '*' are not ours.
  if (!rawUrl.startsWith('/')) return reject(400, 'bad-request-target', 'request target must be origin-form');

  const q = rawUrl.indexOf('?');
  const path = q === -1 ? rawUrl : rawUrl.slice(0, q);
  const rawQuery = q === -1 ? null : rawUrl.slice(q + 1);

  for (const ch of path) {
    if (ch === '\\') return reject(400, 'backslash', 'backslash in path');
    if (!PATH_CHAR.test(ch)) return reject(400, 'bad-char', 'character not allowed in path');
  }
  const enc = classifyPercent(path);
  if (enc) return enc;

  if (rawQuery !== null) {
    for (const ch of rawQuery) {
      if (ch === '\\') return reject(400, 'backslash', 'backslash in query');
      if (!QUERY_CHAR.test(ch)) return reject(400, 'bad-char', 'character not allowed in query');
    }
  }

  if (path === '/') return { ok: true, segments: [], rawQuery };
  const segments = path.slice(1).split('/');
  for (let i = 0; i < segments.length; i++) {
    const s = segments[i];
    // RFC 3986 5.2.4: dot-segments are refused, never resolved.
    if (s === '.' || s === '..') return reject(400, 'dot-segment', 'dot-segment in path');
    if (s === '') {
      return i === segments.length - 1
        ? reject(400, 'trailing-slash', 'trailing slash: resources have exactly one spelling, without it')
        : reject(400, 'empty-segment', 'empty path segment (double slash)');
    }
  }
  return { ok: true, segments, rawQuery };
}

/** Any percent-encoding in the path is refused; the reason names the most dangerous reading of it. */
function classifyPercent(path: string): DicomwebRejection | null {
  const i = path.indexOf('%');
  if (i === -1) return null;
  const hex = path.slice(i + 1, i + 3);
  if (!/^[0-9A-Fa-f]{2}$/.test(hex)) return reject(400, 'bad-percent-encoding', 'malformed percent-encoding in path');
  const b = parseInt(hex, 16);
  if (b === 0x25) return reject(400, 'double-encoding', 'percent-encoded percent sign in path');
  if (b === 0x2f || b === 0x5c) return reject(400, 'encoded-separator', 'percent-encoded slash or backslash in path');
  if (b === 0x2e) return reject(400, 'encoded-dot', 'percent-encoded dot in path');
  if (b < 0x20 || b === 0x7f) return reject(400, 'control-char', 'percent-encoded control character in path');
  if (b > 0x7f) return reject(400, 'non-ascii', 'percent-encoded non-ASCII byte in path');
  return reject(400, 'encoded-path', 'percent-encoding is not allowed in DICOMweb paths');
}

/**
 * Splits a configured prefix (`/dicom-web`, `/pacs/wado`, or `/` for none) into segments.
 * A malformed prefix is a configuration bug, so this throws rather than returning a decision.
 */
export function rootSegments(root: string): string[] {
  if (root === '/') return [];
  const segs = root.startsWith('/') ? root.slice(1).split('/') : null;
  if (!segs || !segs.every((s) => /^[A-Za-z0-9._~-]+$/.test(s) && s !== '.' && s !== '..')) {
    throw new TypeError(`DICOMweb root must look like /dicom-web (no trailing slash): ${JSON.stringify(root)}`);
  }
  return segs;
}
