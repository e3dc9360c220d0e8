// Options for navigator.credentials.create(): a fresh single-use challenge bound to the
// session, the user's keys excluded, UV required for the roles config names.
import { createHash } from 'node:crypto';
import { generateRegistrationOptions, type PublicKeyCredentialCreationOptionsJSON } from '@simplewebauthn/server';
import type { CredentialRow } from '../../store/index.js';
import { SessionError } from '../sessions/index.js';
import type { SessionInfo, User } from '../types.js';
import { assertSessionUser } from './assertSessionUser.js';
import { auditFailures } from './auditFailure.js';
import { issueChallenge } from './ceremonyChallenge.js';
import { cleanTransports } from './keyView.js';
import { registrationRoute } from './registrationRoute.js';
import { requiresUserVerification } from './relyingParty.js';
import { CHALLENGE_PURPOSE, type WebauthnDeps } from './types.js';
import { parseStringArray } from '../sessions/sessionFromRow.js';

/** ES256, EdDSA, RS256: offered at registration and demanded at verification. */
export const SUPPORTED_ALGORITHMS = [-7, -8, -257];

export async function registrationOptions(
  deps: WebauthnDeps,
  args: { session: SessionInfo; user: User; existing?: readonly CredentialRow[]; now?: number },
): Promise<PublicKeyCredentialCreationOptionsJSON> {
  const now = args.now ?? (deps.now ?? Date.now)();
  const { session, user } = args;
  return auditFailures(deps, { type: 'identity.webauthn.register', userId: user.id, now, detail: { sessionId: session.id, step: 'options' } }, async () => {
    assertSessionUser(session, user);
    const existing = args.existing ?? (await deps.store.webauthn.listForUser(user.id));
    const route = registrationRoute({
      session,
      activeKeys: existing.filter((k) => k.lockedAt === null).length,
      anyKeys: existing.length,
      rp: deps.rp,
      now,
    });
    if (route.route === 'refused') throw new SessionError(route.reason);
    const uv = requiresUserVerification(deps.rp, user.roles);
    const challenge = await issueChallenge(deps, { purpose: CHALLENGE_PURPOSE.register, session, user, payload: { uv }, now });
    const userName = user.email ?? user.subject;
    return generateRegistrationOptions({
      rpName: deps.rp.rpName,
      rpID: deps.rp.rpId,
      userName,
      userID: userHandle(user.id),
      userDisplayName: user.displayName ?? userName,
      challenge,
      timeout: deps.rp.challengeTtlSeconds * 1000,
      // Attestation is only worth asking for when an AAGUID allow-list will read it.
      attestationType: deps.rp.aaguidAllowlist.length > 0 ? 'direct' : 'none',
      excludeCredentials: existing.map((k) => ({ id: k.id, transports: cleanTransports(parseStringArray(k.transports)) })),
      authenticatorSelection: { residentKey: 'preferred', userVerification: uv ? 'required' : 'preferred' },
      supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
    });
  });
}

/** WebAuthn user handle: the user id when it fits in 64 bytes, else its SHA-256. */
export function userHandle(userId: string): Uint8Array<ArrayBuffer> {
  const bytes = Buffer.from(userId, 'utf8');
  return new Uint8Array(bytes.length <= 64 ? bytes : createHash('sha256').update(bytes).digest());
}
