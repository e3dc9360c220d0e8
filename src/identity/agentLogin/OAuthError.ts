// The errors of the agent token endpoint: RFC 6749 5.2 / RFC 8628 3.5 codes, sent as
// `{ error, error_description }` with status 400 because that is the protocol.

export type OAuthErrorCode =
  | 'invalid_request'
  | 'invalid_grant'
  | 'unsupported_grant_type'
  | 'authorization_pending'
  | 'slow_down'
  | 'access_denied'
  | 'expired_token';

export interface OAuthErrorBody {
  error: OAuthErrorCode;
  error_description: string;
}

export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  /** Public: safe to send to the client. */
  readonly description: string;
  readonly status = 400;

  constructor(error: OAuthErrorCode, description: string) {
    super(`${error}: ${description}`);
    this.name = 'OAuthError';
    this.error = error;
    this.description = description;
  }

  toJSON(): OAuthErrorBody {
    return { error: this.error, error_description: this.description };
  }
}

export function isOAuthError(err: unknown): err is OAuthError {
  return err instanceof OAuthError;
}

/** RFC 6749 5.1: token responses and their errors must not be cached. */
export const TOKEN_RESPONSE_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Cache-Control': 'no-store',
  Pragma: 'no-cache',
});
