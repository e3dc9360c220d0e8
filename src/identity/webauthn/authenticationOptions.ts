// Options for navigator.credentials.get(): the user's unlocked keys, a fresh single-use
// challenge bound to the session, UV required for the roles config names.
import { generateAuthenticationOptions, type PublicKeyCredentialRequestOptionsJSON } from '@simplewebauthn/server';
import type { SessionInfo, User } from '../types.js';
import { assertSessionUser } from './assertSessionUser.js';
import { auditFailures } from './auditFailure.js';
import { issueChallenge } from './ceremonyChallenge.js';
import { cleanTransports } from './keyView.js';
import { requiresUserVerification } from './relyingParty.js';
import { CHALLENGE_PURPOSE, type WebauthnDeps } from './types.js';
import { parseStringArray } from '../sessions/sessionFromRow.js';

export async function authenticationOptions(
  deps: WebauthnDeps,
  args: { session: SessionInfo; user: User; now?: number },
): Promise<PublicKeyCredentialRequestOptionsJSON> {
  const now = args.now ?? (deps.now ?? Date.now)();
  const { session, user } = args;
  return auditFailures(deps, { type: 'identity.webauthn.authenticate', userId: user.id, now, detail: { sessionId: session.id, step: 'options' } }, async () => {
    assertSessionUser(session, user);
    const keys = (await deps.store.webauthn.listForUser(user.id)).filter((k) => k.lockedAt === null);
    const uv = requiresUserVerification(deps.rp, user.roles);
    const challenge = await issueChallenge(deps, { purpose: CHALLENGE_PURPOSE.authenticate, session, user, payload: { uv }, now });
    return generateAuthenticationOptions({
      rpID: deps.rp.rpId,
      allowCredentials: keys.map((k) => ({ id: k.id, transports: cleanTransports(parseStringArray(k.transports)) })),
      challenge,
      timeout: deps.rp.challengeTtlSeconds * 1000,
      userVerification: uv ? 'required' : 'preferred',
    });
  });
}
