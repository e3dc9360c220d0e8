// Rendered and thumbnail options (PS3.18 8.3.5): a small typed subset; everything else is refused.
import { reject, type DicomwebRejection } from './dicomwebTypes.js';
import { splitQuery } from './splitQuery.js';

const num = '-?(?:0|[1-9][0-9]{0,6})(?:\\.[0-9]{1,6})?';
const CHECKS: Record<string, RegExp> = {
  // PS3.18 8.3.5.1.3: viewport=vw,vh (the cropping form is not offered).
  viewport: /^[1-9][0-9]{0,3},[1-9][0-9]{0,3}$/,
  // PS3.18 8.3.5.1.2: quality 1..100.
  quality: /^(?:[1-9][0-9]?|100)$/,
  // PS3.18 8.3.5.1.4: window=center,width,function.
  window: new RegExp(`^${num},${num},(?:linear|linear-exact|sigmoid)$`),
  // PS3.18 8.3.5.1.1: annotation=patient and/or technique.
  annotation: /^(?:patient|technique)(?:,(?:patient|technique))?$/,
};
/** Canonical output order; thumbnails accept only a viewport. */
const RENDERED = ['viewport', 'quality', 'window', 'annotation'] as const;
const THUMBNAIL = ['viewport'] as const;

export function parseRenderedQuery(raw: string | null, which: 'rendered' | 'thumbnail'): URLSearchParams | DicomwebRejection {
  const pairs = splitQuery(raw);
  if (!Array.isArray(pairs)) return pairs;
  const allowed: readonly string[] = which === 'rendered' ? RENDERED : THUMBNAIL;
  const got = new Map<string, string>();
  for (const [name, value] of pairs) {
    const re = CHECKS[name];
    if (!re || !allowed.includes(name)) return reject(400, 'query-param-not-allowed', `query parameter is not allowed on ${which}`);
    if (got.has(name)) return reject(400, 'query-param-repeated', `${name} given more than once`);
    if (!re.test(value)) return reject(400, 'query-value-invalid', `${name} value is not allowed`);
    got.set(name, value);
  }
  const query = new URLSearchParams();
  for (const name of allowed) {
    const v = got.get(name);
    if (v !== undefined) query.append(name, v);
  }
  return query;
}
