// The one error the OIDC relying party throws: a RadgateError plus a stable reason code
// that audit events and tests name.
import { RadgateError, type RadgateErrorCode } from '../../errors/index.js';

export type OidcFailureReason =
  /** The IdP name is not configured. */
  | 'idp-unknown'
  /** Discovery, JWKS or token endpoint could not be reached. */
  | 'idp-unavailable'
  /** The callback lacks state or code. */
  | 'callback-invalid'
  /** The callback's state is not the one this browser started with (login CSRF). */
  | 'state-mismatch'
  /** No live transaction for this state: forged, replayed or expired. */
  | 'state-invalid'
  /** The IdP answered the authorization request with an error. */
  | 'idp-error'
  /** The token endpoint refused the code (replayed, expired, PKCE mismatch). */
  | 'code-rejected'
  /** The ID token failed a check: signature, alg, key, issuer, audience, time. */
  | 'id-token-invalid'
  | 'nonce-mismatch'
  | 'userinfo-invalid'
  /** The local user is disabled. */
  | 'user-disabled'
  | 'logout-token-invalid'
  | 'logout-token-replayed';

const CODES: Record<OidcFailureReason, RadgateErrorCode> = {
  'idp-unknown': 'bad-request',
  'idp-unavailable': 'internal',
  'callback-invalid': 'bad-request',
  'state-mismatch': 'unauthenticated',
  'state-invalid': 'unauthenticated',
  'idp-error': 'unauthenticated',
  'code-rejected': 'unauthenticated',
  'id-token-invalid': 'unauthenticated',
  'nonce-mismatch': 'unauthenticated',
  'userinfo-invalid': 'unauthenticated',
  'user-disabled': 'forbidden',
  'logout-token-invalid': 'bad-request',
  'logout-token-replayed': 'bad-request',
};

/** Public messages: what a client may be told; the detail stays in logs and audit. */
const MESSAGES: Record<OidcFailureReason, string> = {
  'idp-unknown': 'unknown identity provider',
  'idp-unavailable': 'the identity provider is unavailable',
  'callback-invalid': 'the sign-in response is incomplete',
  'state-mismatch': 'the sign-in response does not belong to this browser',
  'state-invalid': 'the sign-in attempt is unknown, used or expired; start again',
  'idp-error': 'the identity provider did not sign you in',
  'code-rejected': 'the identity provider refused the sign-in code',
  'id-token-invalid': 'the identity provider sent an invalid ID token',
  'nonce-mismatch': 'the ID token does not belong to this sign-in attempt',
  'userinfo-invalid': 'the identity provider sent invalid user information',
  'user-disabled': 'this account is disabled',
  'logout-token-invalid': 'invalid logout token',
  'logout-token-replayed': 'logout token already used',
};

export class OidcError extends RadgateError {
  readonly reason: OidcFailureReason;

  constructor(reason: OidcFailureReason, options: { detail?: string; cause?: unknown } = {}) {
    super(CODES[reason], MESSAGES[reason], {
      ...options,
      // An unreachable IdP is a bad gateway, not our bug.
      ...(reason === 'idp-unavailable' ? { status: 502 } : {}),
    });
    this.name = 'OidcError';
    this.reason = reason;
  }
}

export function isOidcError(err: unknown): err is OidcError {
  return err instanceof OidcError;
}
