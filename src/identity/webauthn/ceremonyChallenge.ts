// WebAuthn challenges: 256-bit random, stored single-use (by SHA-256, never in clear),
// bound to the session and user, expiring within the relying party's TTL (<= 5 min).
import { randomBytes } from 'node:crypto';
import { sha256Hex } from '../../audit/index.js';
import type { SessionInfo, User } from '../types.js';
import { constantTimeEqual } from '../sessions/index.js';
import type { CeremonyPurpose, WebauthnDeps } from './types.js';
import { WebauthnError } from './WebauthnError.js';

export interface ChallengePayload {
  /** User verification was required when the options were issued. */
  uv: boolean;
}

/** Creates and stores a challenge; returns its bytes for the options generator. */
export async function issueChallenge(
  deps: Pick<WebauthnDeps, 'store' | 'rp'>,
  args: { purpose: CeremonyPurpose; session: SessionInfo; user: User; payload: ChallengePayload; now: number },
): Promise<Uint8Array<ArrayBuffer>> {
  const bytes = new Uint8Array(randomBytes(32));
  await deps.store.challenges.put({
    idHash: sha256Hex(Buffer.from(bytes).toString('base64url')),
    purpose: args.purpose,
    sessionId: args.session.id,
    userId: args.user.id,
    payload: JSON.stringify(args.payload),
    createdAt: args.now,
    expiresAt: args.now + deps.rp.challengeTtlSeconds * 1000,
  });
  return bytes;
}

/**
 * Takes (deletes) the challenge named in a response. Undefined unless it exists, has this
 * purpose, has not expired and was issued to this session and user.
 */
export async function takeChallenge(
  deps: Pick<WebauthnDeps, 'store'>,
  args: { purpose: CeremonyPurpose; challenge: string; session: SessionInfo; user: User; now: number },
): Promise<{ payload: ChallengePayload; matches: (c: string) => boolean } | undefined> {
  const idHash = sha256Hex(args.challenge);
  const row = await deps.store.challenges.take(idHash, args.purpose, args.now);
  if (row === undefined || row.sessionId !== args.session.id || row.userId !== args.user.id) return undefined;
  let payload: ChallengePayload;
  try {
    const p = JSON.parse(row.payload) as Partial<ChallengePayload>;
    payload = { uv: p.uv === true };
  } catch (cause) {
    throw new WebauthnError('challenge-invalid', { detail: 'challenge payload unreadable', cause });
  }
  // The verifier is told exactly which challenge to expect: the one whose hash we stored.
  return { payload, matches: (c: string) => constantTimeEqual(sha256Hex(c), idHash) };
}
