// The one error the security-key ceremonies and key management throw: a RadgateError
// plus a stable reason code that audit events and tests name.
import { RadgateError, type RadgateErrorCode } from '../../errors/index.js';

export type WebauthnFailureReason =
  /** The session belongs to another user than the one named. */
  | 'session-user-mismatch'
  | 'session-ended'
  | 'user-disabled'
  /** Not a WebAuthn response we can read (missing fields, bad base64url or JSON). */
  | 'response-malformed'
  /** No live challenge: forged, replayed, expired, or issued to another session. */
  | 'challenge-invalid'
  /** clientDataJSON names an origin that is not ours. */
  | 'origin-mismatch'
  /** authenticatorData was made for another relying party id. */
  | 'rpid-mismatch'
  | 'credential-unknown'
  | 'credential-other-user'
  | 'credential-locked'
  /** The library refused the response (user presence, algorithm, attestation, …). */
  | 'response-invalid'
  | 'signature-invalid'
  | 'user-verification-required'
  /** The authenticator's signature counter did not increase: a possible clone. */
  | 'counter-regression'
  /** Another assertion with this credential won a race. */
  | 'counter-race'
  | 'credential-exists'
  | 'aaguid-not-allowed'
  /** First key outside the enrolment window after OIDC sign-in. */
  | 'enrolment-window-closed'
  /** Config (or a locked/removed previous key) demands an admin-issued code. */
  | 'enrolment-code-required'
  | 'enrolment-code-invalid'
  /** Refused: removing the user's last active key needs an administrator. */
  | 'last-key'
  | 'key-not-found'
  | 'name-invalid';

const CODES: Record<WebauthnFailureReason, RadgateErrorCode> = {
  'session-user-mismatch': 'unauthenticated',
  'session-ended': 'unauthenticated',
  'user-disabled': 'unauthenticated',
  'response-malformed': 'bad-request',
  'challenge-invalid': 'unauthenticated',
  'origin-mismatch': 'unauthenticated',
  'rpid-mismatch': 'unauthenticated',
  'credential-unknown': 'unauthenticated',
  'credential-other-user': 'unauthenticated',
  'credential-locked': 'unauthenticated',
  'response-invalid': 'unauthenticated',
  'signature-invalid': 'unauthenticated',
  'user-verification-required': 'unauthenticated',
  'counter-regression': 'unauthenticated',
  'counter-race': 'unauthenticated',
  'credential-exists': 'conflict',
  'aaguid-not-allowed': 'forbidden',
  'enrolment-window-closed': 'forbidden',
  'enrolment-code-required': 'forbidden',
  'enrolment-code-invalid': 'forbidden',
  'last-key': 'conflict',
  'key-not-found': 'not-found',
  'name-invalid': 'bad-request',
};

/** Public messages; credential problems share one so they are no oracle for ids. */
const MESSAGES: Record<WebauthnFailureReason, string> = {
  'session-user-mismatch': 'sign-in required',
  'session-ended': 'sign-in required',
  'user-disabled': 'sign-in required',
  'response-malformed': 'malformed security-key response',
  'challenge-invalid': 'the security-key challenge is unknown, used or expired; start again',
  'origin-mismatch': 'the security-key response was made for another site',
  'rpid-mismatch': 'the security-key response was made for another site',
  'credential-unknown': 'security key not accepted',
  'credential-other-user': 'security key not accepted',
  'credential-locked': 'security key not accepted',
  'response-invalid': 'security-key response rejected',
  'signature-invalid': 'security-key response rejected',
  'user-verification-required': 'this sign-in needs the security key PIN or biometric',
  'counter-regression': 'this security key has been locked; contact an administrator',
  'counter-race': 'security-key response rejected; try again',
  'credential-exists': 'this security key is already registered',
  'aaguid-not-allowed': 'this model of security key is not allowed here',
  'enrolment-window-closed': 'sign in again to register your first security key',
  'enrolment-code-required': 'an enrolment code from an administrator is required',
  'enrolment-code-invalid': 'the enrolment code is invalid, used or expired',
  'last-key': 'you cannot remove your last security key; ask an administrator',
  'key-not-found': 'no such security key',
  'name-invalid': 'invalid key name',
};

export class WebauthnError extends RadgateError {
  readonly reason: WebauthnFailureReason;

  constructor(reason: WebauthnFailureReason, options: { detail?: string; cause?: unknown } = {}) {
    super(CODES[reason], MESSAGES[reason], { detail: options.detail ?? reason, cause: options.cause });
    this.name = 'WebauthnError';
    this.reason = reason;
  }
}

export function isWebauthnError(err: unknown): err is WebauthnError {
  return err instanceof WebauthnError;
}
