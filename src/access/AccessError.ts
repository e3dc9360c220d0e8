// The one error the access module throws: a RadgateError plus a stable reason code that
// audit events, problem+json (`reason`) and tests name.
import { RadgateError, type RadgateErrorCode } from '../errors/index.js';

export type AccessFailureReason =
  | 'session-required'
  | 'webauthn-required'
  | 'admin-required'
  | 'step-up-required'
  | 'request-malformed'
  | 'request-too-large'
  | 'target-not-found'
  | 'target-exists'
  | 'target-read-only'
  | 'duration-over-maximum'
  | 'start-in-past'
  | 'start-too-far'
  | 'duplicate-request'
  | 'policy-denied'
  | 'request-not-found'
  | 'request-not-pending'
  | 'request-expired'
  | 'already-decided'
  | 'grant-not-found'
  | 'grant-not-active'
  | 'not-permitted'
  | 'review-not-found'
  | 'already-reviewed'
  | 'self-review';

const CODES: Record<AccessFailureReason, RadgateErrorCode> = {
  'session-required': 'unauthenticated',
  'webauthn-required': 'unauthenticated',
  'admin-required': 'forbidden',
  'step-up-required': 'forbidden',
  'request-malformed': 'bad-request',
  'request-too-large': 'payload-too-large',
  'target-not-found': 'not-found',
  'target-exists': 'conflict',
  'target-read-only': 'conflict',
  'duration-over-maximum': 'bad-request',
  'start-in-past': 'bad-request',
  'start-too-far': 'bad-request',
  'duplicate-request': 'conflict',
  'policy-denied': 'forbidden',
  'request-not-found': 'not-found',
  'request-not-pending': 'conflict',
  'request-expired': 'conflict',
  'already-decided': 'conflict',
  'grant-not-found': 'not-found',
  'grant-not-active': 'conflict',
  'not-permitted': 'forbidden',
  'review-not-found': 'not-found',
  'already-reviewed': 'conflict',
  'self-review': 'forbidden',
};

const MESSAGES: Record<AccessFailureReason, string> = {
  'session-required': 'sign-in required',
  'webauthn-required': 'a session verified with a security key is required',
  'admin-required': 'administrators only',
  'step-up-required': 'verify your security key again, then retry',
  'request-malformed': 'the request is not in the expected form',
  'request-too-large': 'the request is too large',
  'target-not-found': 'no such target',
  'target-exists': 'a target with this name exists',
  'target-read-only': 'this target is declared in the configuration file; change it there',
  'duration-over-maximum': 'the requested duration is longer than allowed for this target and role',
  'start-in-past': 'the requested start lies in the past',
  'start-too-far': 'the requested start lies too far ahead',
  'duplicate-request': 'you already have a pending or approved request for this target in an overlapping window',
  'policy-denied': 'denied by policy',
  'request-not-found': 'no such access request',
  'request-not-pending': 'the request is no longer pending',
  'request-expired': 'the request expired before it was decided',
  'already-decided': 'you have already decided on this request',
  'grant-not-found': 'no such grant',
  'grant-not-active': 'the grant is not active',
  'not-permitted': 'you may not do this',
  'review-not-found': 'no such review item',
  'already-reviewed': 'this item has already been reviewed',
  'self-review': 'the person who invoked break-glass cannot review it',
};

export class AccessError extends RadgateError {
  readonly reason: AccessFailureReason;
  /** Policy reasons when policy decided (separation-of-duties, no-permit, …). */
  readonly policyReasons: readonly string[];
  constructor(reason: AccessFailureReason, options: { detail?: string; cause?: unknown; message?: string; policyReasons?: readonly string[] } = {}) {
    super(CODES[reason], options.message ?? MESSAGES[reason], { detail: options.detail, cause: options.cause });
    this.name = 'AccessError';
    this.reason = reason;
    this.policyReasons = options.policyReasons ?? [];
  }
}

export const isAccessError = (err: unknown): err is AccessError => err instanceof AccessError;
