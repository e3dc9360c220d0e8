// XML 1.0 escaping for audit exports: markup characters escaped, characters XML 1.0 cannot
// carry (C0 controls but TAB/LF/CR, lone surrogates, U+FFFE/U+FFFF) replaced with U+FFFD,
// and every value bounded so one hostile field cannot make a message unbounded.

/** Longest value (in UTF-16 code units) kept in one attribute or text node. */
export const MAX_XML_VALUE = 1024;

// XML 1.0 §2.2 Char production, negated: what may not appear in a document at all.
// eslint-disable-next-line no-control-regex
const NOT_XML_CHAR = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const ATTR_SPECIAL = /[&<>"\t\n\r]/g;
// Fast path (hot: ~30 values per message): a value with none of these needs no change at all.
// eslint-disable-next-line no-control-regex
const NEEDS_WORK = /[&<>"\u0000-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/;
const TEXT_SPECIAL = /[&<>\t\n\r]/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', '\t': '&#9;', '\n': '&#10;', '\r': '&#13;' };

/** Truncates to `max` code units (never splitting a surrogate pair) and marks the cut with an ellipsis. */
export function bounded(value: string, max = MAX_XML_VALUE): string {
  if (value.length <= max) return value;
  let end = max - 1;
  const c = value.charCodeAt(end - 1);
  if (c >= 0xd800 && c <= 0xdbff) end--;
  return value.slice(0, end) + '\u2026';
}

/** Replaces characters XML 1.0 cannot represent (even as references) with U+FFFD. */
export function xmlSafe(value: string): string {
  return value.replace(NOT_XML_CHAR, '\uFFFD');
}

/** An attribute value: bounded, XML-safe, with quotes and whitespace controls as references (kept verbatim by attribute-value normalisation). */
export function attr(value: string, max = MAX_XML_VALUE): string {
  if (value.length <= max && !NEEDS_WORK.test(value)) return value;
  return xmlSafe(bounded(value, max)).replace(ATTR_SPECIAL, (c) => ENTITY[c]!);
}

/** Element text: bounded and XML-safe; TAB/LF/CR as references, so a message stays one line for line-oriented collectors. */
export function text(value: string, max = MAX_XML_VALUE): string {
  if (value.length <= max && !NEEDS_WORK.test(value)) return value;
  return xmlSafe(bounded(value, max)).replace(TEXT_SPECIAL, (c) => ENTITY[c] ?? c);
}

/**
 * An xsd:token value: the schema's token type collapses whitespace, so control whitespace
 * becomes one space and the ends are trimmed; an empty result becomes "-" (tokens here are
 * required identifiers).
 */
export function token(value: string, max = MAX_XML_VALUE): string {
  if (value.length > 0 && value.length <= max && !NEEDS_WORK.test(value) && value.charCodeAt(0) !== 32 && value.charCodeAt(value.length - 1) !== 32 && !value.includes('  ')) return value;
  const collapsed = xmlSafe(value).replace(/[\t\n\r ]+/g, ' ').trim();
  return attr(collapsed.length > 0 ? collapsed : '-', max);
}
