// Secret handles the agent login hands out (authorization codes, device codes, user
// codes): random from node:crypto, stored only as SHA-256 hex.
import { randomBytes, randomInt } from 'node:crypto';
import { sha256Hex } from '../../audit/index.js';

/** 256-bit handle, base64url (43 characters). */
export function randomHandle(): string {
  return randomBytes(32).toString('base64url');
}

export const HANDLE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

export function hashHandle(handle: string): string {
  return sha256Hex(handle);
}

/** RFC 8628 6.1: consonants only, no vowels (no words) and no 0/O or 1/I look-alikes. */
export const USER_CODE_ALPHABET = 'BCDFGHJKLMNPQRSTVWXZ';
export const USER_CODE_LENGTH = 8;

/** 8 characters, uniformly from the alphabet (20^8 ≈ 2^34.6). */
export function randomUserCode(): string {
  let code = '';
  for (let i = 0; i < USER_CODE_LENGTH; i++) code += USER_CODE_ALPHABET[randomInt(USER_CODE_ALPHABET.length)];
  return code;
}

/** `BCDFGHJK` → `BCDF-GHJK`. */
export function formatUserCode(code: string): string {
  return `${code.slice(0, 4)}-${code.slice(4)}`;
}

/**
 * What the user typed → the canonical 8 characters, or undefined. RFC 8628 6.1: case,
 * dashes and spaces are ignored.
 */
export function normalizeUserCode(input: string): string | undefined {
  if (typeof input !== 'string' || input.length > 32) return undefined;
  const code = input.toUpperCase().replace(/[\s-]/g, '');
  if (code.length !== USER_CODE_LENGTH) return undefined;
  for (const ch of code) if (!USER_CODE_ALPHABET.includes(ch)) return undefined;
  return code;
}
