// Posture nonces: 256-bit, single-use, short-lived, bound to one device. Only the
// SHA-256 of the nonce is stored; taking it deletes it.
import { createHash, randomBytes } from 'node:crypto';
import type { ChallengesRepo } from '../store/index.js';

export const POSTURE_NONCE_PURPOSE = 'posture-nonce';

const hash = (nonce: string) => createHash('sha256').update(nonce).digest('hex');

export async function issuePostureNonce(
  challenges: Pick<ChallengesRepo, 'put'>,
  p: { deviceId: string; userId: string; now: number; ttlSeconds: number },
): Promise<{ nonce: string; expiresAt: number }> {
  const nonce = randomBytes(32).toString('base64url');
  const expiresAt = p.now + p.ttlSeconds * 1000;
  await challenges.put({
    idHash: hash(nonce),
    purpose: POSTURE_NONCE_PURPOSE,
    sessionId: null,
    userId: p.userId,
    payload: JSON.stringify({ deviceId: p.deviceId }),
    createdAt: p.now,
    expiresAt,
  });
  return { nonce, expiresAt };
}

/** True when the nonce was live and issued for this device; it is gone afterwards either way. */
export async function takePostureNonce(challenges: Pick<ChallengesRepo, 'take'>, p: { nonce: string; deviceId: string; now: number }): Promise<boolean> {
  const row = await challenges.take(hash(p.nonce), POSTURE_NONCE_PURPOSE, p.now);
  if (!row) return false;
  try {
    return (JSON.parse(row.payload) as { deviceId?: unknown }).deviceId === p.deviceId;
  } catch {
    return false;
  }
}
