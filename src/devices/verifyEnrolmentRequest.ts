// Enrolment proof of possession: the JWS verifies with the P-256 key in its own header,
// within ±5 minutes of now. The caller then checks the key is new and decides policy.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader } from 'jose';
import { DeviceError } from './DeviceError.js';
import { enrolmentPayloadSchema, type EnrolmentPayload } from './postureSchema.js';
import { verifyJws } from './verifyJws.js';

export const ENROL_TYP = 'radgate-enroll+jwt';
export const MAX_IAT_SKEW_SECONDS = 300;

export interface VerifiedEnrolment {
  payload: EnrolmentPayload;
  publicKey: KeyObject;
  /** SubjectPublicKeyInfo PEM, as stored. */
  spkiPem: string;
}

export async function verifyEnrolmentRequest(jws: string, expect: { now: number }): Promise<VerifiedEnrolment> {
  let header: Record<string, unknown>;
  try {
    header = decodeProtectedHeader(jws) as Record<string, unknown>;
  } catch (err) {
    throw new DeviceError('request-malformed', { cause: err });
  }
  if (header.alg !== 'ES256') throw new DeviceError('algorithm-not-allowed');
  const publicKey = importDeviceJwk(header.jwk);
  const { payload } = await verifyJws(jws, publicKey, ENROL_TYP);
  const parsed = enrolmentPayloadSchema.safeParse(payload);
  if (!parsed.success) throw new DeviceError('request-malformed', { detail: parsed.error.issues[0]?.message });
  if (Math.abs(parsed.data.iat - Math.floor(expect.now / 1000)) > MAX_IAT_SKEW_SECONDS) throw new DeviceError('iat-out-of-range');
  return { payload: parsed.data, publicKey, spkiPem: publicKey.export({ type: 'spki', format: 'pem' }) as string };
}

/** A public EC P-256 JWK and nothing else (a private `d` is refused outright). */
export function importDeviceJwk(jwk: unknown): KeyObject {
  if (jwk === null || typeof jwk !== 'object' || Array.isArray(jwk)) throw new DeviceError('key-unsupported');
  const j = jwk as Record<string, unknown>;
  if (j.kty !== 'EC' || j.crv !== 'P-256' || typeof j.x !== 'string' || typeof j.y !== 'string' || 'd' in j) throw new DeviceError('key-unsupported');
  try {
    return createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: j.x, y: j.y }, format: 'jwk' });
  } catch (err) {
    throw new DeviceError('key-unsupported', { cause: err });
  }
}
