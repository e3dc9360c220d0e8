// Maps what openid-client throws during the code exchange to a stable reason.
import * as client from 'openid-client';
import { OidcError } from './OidcError.js';
import { clip } from './identityAudit.js';

export function classifyExchangeError(err: unknown): OidcError {
  if (err instanceof OidcError) return err;
  // The IdP redirected back with ?error=… (access_denied, login_required, …).
  if (err instanceof client.AuthorizationResponseError) {
    return new OidcError('idp-error', { detail: clip(`${err.error}${err.error_description ? `: ${err.error_description}` : ''}`), cause: err });
  }
  // The token endpoint answered with an OAuth error: invalid_grant for a used or expired
  // code, a PKCE mismatch or a wrong redirect_uri.
  if (err instanceof client.ResponseBodyError) {
    const reason = err.status >= 500 ? 'idp-unavailable' : 'code-rejected';
    return new OidcError(reason, { detail: clip(`${err.status} ${err.error}${err.error_description ? `: ${err.error_description}` : ''}`), cause: err });
  }
  if (err instanceof client.ClientError) {
    const message = clip(`${err.code ?? 'error'}: ${innermostMessage(err)}`);
    if (claimOf(err) === 'nonce') return new OidcError('nonce-mismatch', { detail: message, cause: err });
    switch (err.code) {
      case 'OAUTH_JWT_CLAIM_COMPARISON_FAILED':
      case 'OAUTH_JWT_TIMESTAMP_CHECK_FAILED':
      case 'OAUTH_INVALID_RESPONSE':
      case 'OAUTH_PARSE_ERROR':
      case 'OAUTH_UNSUPPORTED_OPERATION':
        return new OidcError('id-token-invalid', { detail: message, cause: err });
      case 'OAUTH_JSON_ATTRIBUTE_COMPARISON_FAILED':
        // RFC 9207: the `iss` authorization response parameter names another IdP (mix-up).
        return new OidcError('idp-error', { detail: message, cause: err });
      default:
        return new OidcError('idp-unavailable', { detail: message, cause: err });
    }
  }
  if (err instanceof Error && err.name === 'UnsupportedOperationError') {
    return new OidcError('id-token-invalid', { detail: clip(err.message), cause: err });
  }
  // fetch failures (TypeError: fetch failed), timeouts.
  return new OidcError('idp-unavailable', { detail: clip(err instanceof Error ? err.message : String(err)), cause: err });
}

/** The `claim` named by an oauth4webapi comparison failure, if any, anywhere in the cause chain. */
function claimOf(err: unknown): string | undefined {
  for (let e: unknown = err, i = 0; e && typeof e === 'object' && i < 5; e = (e as { cause?: unknown }).cause, i++) {
    const claim = (e as { claim?: unknown }).claim;
    if (typeof claim === 'string') return claim;
  }
  return undefined;
}

function innermostMessage(err: Error): string {
  let m = err.message;
  for (let e: unknown = err.cause, i = 0; e instanceof Error && i < 5; e = e.cause, i++) m = e.message;
  return m;
}
