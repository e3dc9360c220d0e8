// RFC 8252 7.3: a native app's redirect URI is plain HTTP to a loopback IP literal on any
// port. `localhost` is refused (8.3: it may resolve off the machine or be hijacked).

export type RedirectUriProblem =
  | 'too-long'
  | 'unparsable'
  | 'not-canonical'
  | 'not-http'
  | 'localhost'
  | 'not-loopback'
  | 'no-port'
  | 'userinfo'
  | 'query'
  | 'fragment';

export type RedirectUriCheck =
  | { ok: true; uri: string; port: number }
  | { ok: false; reason: RedirectUriProblem; message: string };

export const MAX_REDIRECT_URI_LENGTH = 512;

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]']);

const refuse = (reason: RedirectUriProblem, message: string): RedirectUriCheck => ({ ok: false, reason, message });

/** Accepts only `http://127.0.0.1:<port>/<path>` and `http://[::1]:<port>/<path>`, in canonical form. */
export function validateLoopbackRedirectUri(uri: string): RedirectUriCheck {
  if (typeof uri !== 'string' || uri.length === 0) return refuse('unparsable', 'redirect_uri is required');
  if (uri.length > MAX_REDIRECT_URI_LENGTH) return refuse('too-long', `redirect_uri is longer than ${MAX_REDIRECT_URI_LENGTH} characters`);
  // A '#' anywhere, even an empty fragment, is refused (RFC 6749 3.1.2).
  if (uri.includes('#')) return refuse('fragment', 'redirect_uri must not contain a fragment');
  let url: URL;
  try {
    url = new URL(uri);
  } catch {
    return refuse('unparsable', 'redirect_uri is not a URL');
  }
  if (url.protocol !== 'http:') return refuse('not-http', 'redirect_uri must use http to a loopback address (RFC 8252 7.3)');
  if (url.username !== '' || url.password !== '') return refuse('userinfo', 'redirect_uri must not contain user information');
  if (url.hostname === 'localhost' || url.hostname.endsWith('.localhost')) {
    return refuse('localhost', 'redirect_uri must use the IP literal 127.0.0.1 or [::1], not localhost (RFC 8252 8.3)');
  }
  if (!LOOPBACK_HOSTS.has(url.hostname)) return refuse('not-loopback', 'redirect_uri must point at 127.0.0.1 or [::1] (RFC 8252 7.3)');
  if (url.port === '') return refuse('no-port', 'redirect_uri must name the port the agent listens on');
  if (url.search !== '') return refuse('query', 'redirect_uri must not contain a query');
  // Compared byte for byte at the token endpoint, so only one spelling is accepted
  // (no dot segments, alternative IPv4 forms, or percent-encoding variants).
  if (url.href !== uri) return refuse('not-canonical', 'redirect_uri is not in canonical form');
  return { ok: true, uri, port: Number(url.port) };
}
