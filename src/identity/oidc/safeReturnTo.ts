// Open-redirect guard: after sign-in radgate only ever returns to one of its own paths.

const FALLBACK = '/';

/** `value` when it is a same-origin absolute path (no scheme, no `//`, no `\`), else '/'. */
export function safeReturnTo(value: string | null | undefined): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return FALLBACK;
  // Absolute path only: "/x". Not "//host", not "/\host" (browsers treat \ as /), not "http:".
  if (!value.startsWith('/') || value.startsWith('//') || value.includes('\\')) return FALLBACK;
  // Control characters (tab/newline are stripped by URL parsers and can hide a "//").
  if (/[\u0000-\u001f\u007f]/.test(value)) return FALLBACK;
  let parsed: URL;
  try {
    parsed = new URL(value, 'https://radgate.invalid');
  } catch {
    return FALLBACK;
  }
  if (parsed.origin !== 'https://radgate.invalid') return FALLBACK;
  return `${parsed.pathname}${parsed.search}${parsed.hash}`;
}
