// Single-use handles (OIDC state, logout-token jti) reach the store only as SHA-256 hex.
import { createHash } from 'node:crypto';

export function hashHandle(handle: string): string {
  return createHash('sha256').update(handle, 'utf8').digest('hex');
}
