// ES256 JWS compact verification with jose, told the key and the typ to expect; every
// failure becomes a DeviceError with a stable reason.
import type { KeyObject } from 'node:crypto';
import { compactVerify, errors } from 'jose';
import { DeviceError } from './DeviceError.js';

export interface VerifiedJws {
  header: Record<string, unknown>;
  payload: unknown;
}

export async function verifyJws(jws: string, key: KeyObject, expectTyp: string): Promise<VerifiedJws> {
  let r: Awaited<ReturnType<typeof compactVerify>>;
  try {
    r = await compactVerify(jws, key, { algorithms: ['ES256'] });
  } catch (err) {
    if (err instanceof errors.JOSEAlgNotAllowed) throw new DeviceError('algorithm-not-allowed', { cause: err });
    if (err instanceof errors.JWSSignatureVerificationFailed) throw new DeviceError('signature-invalid', { cause: err });
    throw new DeviceError('request-malformed', { cause: err, detail: (err as Error).message });
  }
  // RFC 7515 4.1.9: typ names the media type; a posture JWS is not an enrolment JWS.
  if (r.protectedHeader.typ !== expectTyp) throw new DeviceError('request-malformed', { detail: `typ must be ${expectTyp}` });
  let payload: unknown;
  try {
    payload = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(r.payload));
  } catch (err) {
    throw new DeviceError('request-malformed', { cause: err, detail: 'payload is not JSON' });
  }
  return { header: r.protectedHeader as Record<string, unknown>, payload };
}
