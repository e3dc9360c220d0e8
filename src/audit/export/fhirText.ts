// FHIR string and code values from untrusted audit detail: FHIR R4 strings are non-empty
// Unicode without C0 controls (but TAB/CR/LF) whose only whitespace is space, TAB, CR and
// LF (the R4 JSON schema's `^[ \r\n\t\S]+$`); codes have no leading, trailing or repeated
// whitespace. JSON escaping itself is JSON.stringify's job; this makes values *valid*.
import { bounded, MAX_XML_VALUE, xmlSafe } from './xmlText.js';

/** Longest string kept in one element (UTF-16 code units); the cut is marked with an ellipsis. */
export const MAX_FHIR_VALUE = MAX_XML_VALUE;

// JavaScript's \s minus the four FHIR allows; \v and \f are C0 controls, replaced before.
const OTHER_SPACE = /[\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/g;

/** A FHIR `string`: bounded, disallowed characters replaced (U+FFFD, or a space for odd spaces); undefined when empty. */
export function fhirString(value: string | undefined, max = MAX_FHIR_VALUE): string | undefined {
  if (value === undefined || value.length === 0) return undefined;
  // xmlSafe: C0 controls but TAB/LF/CR, lone surrogates and U+FFFE/U+FFFF become U+FFFD.
  return xmlSafe(bounded(value, max)).replace(OTHER_SPACE, ' ');
}

/** A FHIR `code`: whitespace collapsed to single spaces and trimmed; undefined when empty. */
export function fhirCode(value: string | undefined, max = 256): string | undefined {
  const s = fhirString(value, max);
  if (s === undefined) return undefined;
  const c = s.replace(/\s+/g, ' ').trim();
  return c.length > 0 ? c : undefined;
}
