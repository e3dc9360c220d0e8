// Reads the parts of a WebAuthn response radgate checks itself before the library runs:
// the ceremony type, challenge and origin from clientDataJSON, and the RP ID hash.
import { createHash } from 'node:crypto';
import { decodeAttestationObject } from '@simplewebauthn/server/helpers';
import { WebauthnError } from './WebauthnError.js';

export interface ClientData {
  type: string;
  challenge: string;
  origin: string;
}

const B64URL = /^[A-Za-z0-9_-]+={0,2}$/;

export function readClientData(clientDataJSON: unknown): ClientData {
  if (typeof clientDataJSON !== 'string' || !B64URL.test(clientDataJSON)) throw new WebauthnError('response-malformed', { detail: 'clientDataJSON not base64url' });
  let v: unknown;
  try {
    v = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
  } catch (cause) {
    throw new WebauthnError('response-malformed', { detail: 'clientDataJSON not JSON', cause });
  }
  const o = v as Partial<Record<keyof ClientData, unknown>>;
  if (typeof v !== 'object' || v === null || typeof o.type !== 'string' || typeof o.challenge !== 'string' || typeof o.origin !== 'string') {
    throw new WebauthnError('response-malformed', { detail: 'clientDataJSON lacks type, challenge or origin' });
  }
  return { type: o.type, challenge: o.challenge, origin: o.origin };
}

/** The RP ID hash (first 32 bytes) of an assertion's authenticatorData. */
export function assertionRpIdHash(authenticatorData: unknown): Buffer {
  if (typeof authenticatorData !== 'string' || !B64URL.test(authenticatorData)) throw new WebauthnError('response-malformed', { detail: 'authenticatorData not base64url' });
  const bytes = Buffer.from(authenticatorData, 'base64url');
  if (bytes.length < 37) throw new WebauthnError('response-malformed', { detail: 'authenticatorData too short' });
  return bytes.subarray(0, 32);
}

/** The RP ID hash of a registration's attestationObject (CBOR) authData. */
export function attestationRpIdHash(attestationObject: unknown): Buffer {
  if (typeof attestationObject !== 'string' || !B64URL.test(attestationObject)) throw new WebauthnError('response-malformed', { detail: 'attestationObject not base64url' });
  let authData: Uint8Array | undefined;
  try {
    authData = decodeAttestationObject(new Uint8Array(Buffer.from(attestationObject, 'base64url'))).get('authData');
  } catch (cause) {
    throw new WebauthnError('response-malformed', { detail: 'attestationObject not CBOR', cause });
  }
  if (!(authData instanceof Uint8Array) || authData.length < 37) throw new WebauthnError('response-malformed', { detail: 'authData missing' });
  return Buffer.from(authData.subarray(0, 32));
}

export function rpIdHashMatches(hash: Buffer, rpId: string): boolean {
  return hash.equals(createHash('sha256').update(rpId, 'utf8').digest());
}
