// The one error the devices module throws: a RadgateError plus a stable reason code that
// audit events, problem+json (`reason`) and tests name.
import { RadgateError, type RadgateErrorCode } from '../errors/index.js';

export type DeviceFailureReason =
  | 'session-required'
  | 'webauthn-required'
  | 'agent-session-required'
  | 'admin-required'
  | 'step-up-required'
  /** Not JSON, not the expected shape, or not a JWS compact serialization. */
  | 'request-malformed'
  | 'request-too-large'
  /** The JWS does not verify with the expected key (tampered, or signed by another key). */
  | 'signature-invalid'
  | 'algorithm-not-allowed'
  | 'key-unsupported'
  | 'key-already-enrolled'
  | 'iat-out-of-range'
  /** No live nonce: unknown, replayed, expired or issued for another device. */
  | 'nonce-invalid'
  | 'device-mismatch'
  | 'collected-out-of-range'
  | 'device-not-found'
  | 'device-pending'
  | 'device-revoked'
  | 'device-not-pending'
  | 'posture-missing'
  | 'posture-stale'
  | 'policy-denied'
  | 'grant-invalid'
  | 'service-principal-not-found'
  | 'owner-not-found';

const CODES: Record<DeviceFailureReason, RadgateErrorCode> = {
  'session-required': 'unauthenticated',
  'webauthn-required': 'unauthenticated',
  'agent-session-required': 'unauthenticated',
  'admin-required': 'forbidden',
  'step-up-required': 'forbidden',
  'request-malformed': 'bad-request',
  'request-too-large': 'payload-too-large',
  'signature-invalid': 'bad-request',
  'algorithm-not-allowed': 'bad-request',
  'key-unsupported': 'bad-request',
  'key-already-enrolled': 'conflict',
  'iat-out-of-range': 'bad-request',
  'nonce-invalid': 'bad-request',
  'device-mismatch': 'bad-request',
  'collected-out-of-range': 'bad-request',
  'device-not-found': 'not-found',
  'device-pending': 'forbidden',
  'device-revoked': 'forbidden',
  'device-not-pending': 'conflict',
  'posture-missing': 'forbidden',
  'posture-stale': 'forbidden',
  'policy-denied': 'forbidden',
  'grant-invalid': 'forbidden',
  'service-principal-not-found': 'not-found',
  'owner-not-found': 'bad-request',
};

const MESSAGES: Record<DeviceFailureReason, string> = {
  'session-required': 'sign-in required',
  'webauthn-required': 'a session verified with a security key is required',
  'agent-session-required': 'this call needs an agent session (radgate login)',
  'admin-required': 'administrators only',
  'step-up-required': 'verify your security key again, then retry',
  'request-malformed': 'the request is not in the expected form',
  'request-too-large': 'the request is too large',
  'signature-invalid': 'the signature does not verify with the device key',
  'algorithm-not-allowed': 'only ES256 signatures are accepted',
  'key-unsupported': 'the device key must be an ECDSA P-256 public key',
  'key-already-enrolled': 'this device key is already enrolled',
  'iat-out-of-range': 'the request time is too far from the server time',
  'nonce-invalid': 'the posture nonce is unknown, used or expired; ask for a new one',
  'device-mismatch': 'the report names another device',
  'collected-out-of-range': 'collectedAt is too far from the server time',
  'device-not-found': 'no such device',
  'device-pending': 'the device is waiting for approval',
  'device-revoked': 'the device is revoked',
  'device-not-pending': 'the device is not pending',
  'posture-missing': 'the device has not reported posture',
  'posture-stale': 'the device posture is stale; send a new report',
  'policy-denied': 'denied by policy',
  'grant-invalid': 'the grant is not active for this user',
  'service-principal-not-found': 'no such service principal',
  'owner-not-found': 'the owner is not a known user',
};

export class DeviceError extends RadgateError {
  readonly reason: DeviceFailureReason;
  constructor(reason: DeviceFailureReason, options: { detail?: string; cause?: unknown; message?: string } = {}) {
    super(CODES[reason], options.message ?? MESSAGES[reason], { detail: options.detail, cause: options.cause });
    this.name = 'DeviceError';
    this.reason = reason;
  }
}

export const isDeviceError = (err: unknown): err is DeviceError => err instanceof DeviceError;
