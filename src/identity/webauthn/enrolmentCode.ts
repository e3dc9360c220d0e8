// Admin-issued one-time enrolment codes: ~100 bits, typed by people, stored as SHA-256.
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../audit/index.js';
import { userActor } from '../sessions/index.js';
import type { WebauthnDeps } from './types.js';

// Crockford base32: no I, L, O, U.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const MAX_TTL_SECONDS = 7 * 24 * 3600;

/** `XXXXX-XXXXX-XXXXX-XXXXX`: 20 symbols, 100 bits. */
export function newEnrolmentCode(): string {
  const bytes = randomBytes(20);
  let s = '';
  for (let i = 0; i < 20; i++) s += ALPHABET[bytes[i]! & 31];
  return s.match(/.{5}/g)!.join('-');
}

/** Case, dashes and spaces do not matter; look-alikes read as their digits. */
export function enrolmentCodeHash(code: string): string {
  const norm = code.toUpperCase().replace(/[\s-]/g, '').replace(/O/g, '0').replace(/[IL]/g, '1');
  return sha256Hex(`radgate-enrolment:${norm}`);
}

/** Issues a code for `userId`; the code is returned once and stored only hashed. */
export async function issueEnrolmentCode(
  deps: Pick<WebauthnDeps, 'store' | 'audit' | 'now'>,
  args: { userId: string; createdBy: string; ttlSeconds?: number; now?: number },
): Promise<{ code: string; expiresAt: number }> {
  const now = args.now ?? (deps.now ?? Date.now)();
  const ttl = Math.min(Math.max(60, args.ttlSeconds ?? 24 * 3600), MAX_TTL_SECONDS);
  const code = newEnrolmentCode();
  const expiresAt = now + ttl * 1000;
  await deps.store.challenges.putEnrolmentCode({ codeHash: enrolmentCodeHash(code), userId: args.userId, createdBy: args.createdBy, createdAt: now, expiresAt });
  await deps.audit.append({
    type: 'identity.webauthn.enrolment-code.issue',
    actor: userActor(args.createdBy),
    outcome: 'success',
    detail: { userId: args.userId, expiresAt },
    time: new Date(now),
  });
  return { code, expiresAt };
}
