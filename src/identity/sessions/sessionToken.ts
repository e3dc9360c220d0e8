// Opaque 256-bit bearer tokens; only their SHA-256 reaches the store.
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../audit/index.js';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

/** 32 random bytes, base64url (43 characters). */
export function newSessionToken(): string {
  return randomBytes(32).toString('base64url');
}

/** The value stored and looked up: SHA-256 hex of the token. */
export function hashSessionToken(token: string): string {
  return sha256Hex(token);
}

/** Cheap shape check before any lookup. */
export function isWellFormedToken(token: string): boolean {
  return TOKEN.test(token);
}

/** A public, random session id (not a credential). */
export function newSessionId(): string {
  return randomBytes(16).toString('base64url');
}
