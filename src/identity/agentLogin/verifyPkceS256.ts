// RFC 7636: PKCE with S256 only; `plain` would hand the verifier to anyone who sees
// the authorization request.
import { createHash, timingSafeEqual } from 'node:crypto';

/** RFC 7636 4.1: 43-128 characters from the unreserved set. */
const VERIFIER = /^[A-Za-z0-9._~-]{43,128}$/;
/** base64url(SHA-256) without padding is exactly 43 characters. */
const S256_CHALLENGE = /^[A-Za-z0-9_-]{43}$/;

export function isS256Challenge(challenge: string): boolean {
  return typeof challenge === 'string' && S256_CHALLENGE.test(challenge);
}

export function isCodeVerifier(verifier: string): boolean {
  return typeof verifier === 'string' && VERIFIER.test(verifier);
}

/** RFC 7636 4.6: BASE64URL(SHA256(verifier)) == challenge, compared in constant time. */
export function verifyPkceS256(verifier: string, challenge: string): boolean {
  if (!isCodeVerifier(verifier) || !isS256Challenge(challenge)) return false;
  const computed = createHash('sha256').update(verifier, 'ascii').digest();
  const expected = Buffer.from(challenge, 'base64url');
  return expected.length === computed.length && timingSafeEqual(computed, expected);
}
