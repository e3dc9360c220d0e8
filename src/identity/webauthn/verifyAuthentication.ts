// Verifies an assertion (sign-in or step-up). Checks, in order: the session is this
// user's, the challenge is live and ours (taken: single use), the origin and RP ID are
// ours, the credential is this user's and unlocked, the signature (and UV when required),
// then the counter. A counter that does not increase on a validly signed assertion locks
// the key (cloned authenticator) and raises an alert. On success the session is verified.
import { verifyAuthenticationResponse, type AuthenticationResponseJSON } from '@simplewebauthn/server';
import { userActor } from '../sessions/index.js';
import type { SessionInfo, User } from '../types.js';
import { assertSessionUser } from './assertSessionUser.js';
import { auditFailures } from './auditFailure.js';
import { takeChallenge } from './ceremonyChallenge.js';
import { assertionRpIdHash, readClientData, rpIdHashMatches } from './readResponse.js';
import { requiresUserVerification } from './relyingParty.js';
import { CHALLENGE_PURPOSE, type WebauthnDeps } from './types.js';
import { libraryError } from './verifyRegistration.js';
import { WebauthnError } from './WebauthnError.js';

export type AssertionPurpose = 'sign-in' | 'step-up';

export interface VerifyAuthenticationArgs {
  session: SessionInfo;
  user: User;
  /** The browser's AuthenticationResponseJSON, unchecked. */
  response: unknown;
  purpose: AssertionPurpose;
  now?: number;
}

const AUDIT_TYPE: Record<AssertionPurpose, string> = { 'sign-in': 'identity.webauthn.authenticate', 'step-up': 'identity.step-up' };

export async function verifyAuthentication(
  deps: WebauthnDeps,
  args: VerifyAuthenticationArgs,
): Promise<{ session: SessionInfo; credentialId: string; userVerified: boolean }> {
  const now = args.now ?? (deps.now ?? Date.now)();
  const { session, user, purpose } = args;
  const detail: Record<string, unknown> = { sessionId: session.id, purpose };
  return auditFailures(deps, { type: AUDIT_TYPE[purpose], userId: user.id, now, detail }, async () => {
    assertSessionUser(session, user);
    const response = assertionShape(args.response);
    detail.credentialId = response.id;
    const clientData = readClientData(response.response.clientDataJSON);
    if (clientData.type !== 'webauthn.get') throw new WebauthnError('response-malformed', { detail: `type ${clientData.type}` });
    const challenge = await takeChallenge(deps, { purpose: CHALLENGE_PURPOSE.authenticate, challenge: clientData.challenge, session, user, now });
    if (challenge === undefined) throw new WebauthnError('challenge-invalid');
    if (!deps.rp.origins.includes(clientData.origin)) throw new WebauthnError('origin-mismatch', { detail: `origin ${clientData.origin}` });
    if (!rpIdHashMatches(assertionRpIdHash(response.response.authenticatorData), deps.rp.rpId)) throw new WebauthnError('rpid-mismatch');

    const key = await deps.store.webauthn.get(response.id);
    if (key === undefined) throw new WebauthnError('credential-unknown');
    if (key.userId !== user.id) throw new WebauthnError('credential-other-user', { detail: `credential of ${key.userId}` });
    if (key.lockedAt !== null) throw new WebauthnError('credential-locked');

    const uv = challenge.payload.uv || requiresUserVerification(deps.rp, user.roles);
    let verified;
    try {
      verified = await verifyAuthenticationResponse({
        response,
        expectedChallenge: challenge.matches,
        expectedOrigin: [...deps.rp.origins],
        expectedRPID: deps.rp.rpId,
        // Counter 0 switches the library's own counter check off: it runs before the
        // signature, where a forged response could lock a victim's key. Ours runs after.
        credential: { id: key.id, publicKey: new Uint8Array(Buffer.from(key.publicKey, 'base64url')), counter: 0 },
        requireUserVerification: uv,
      });
    } catch (cause) {
      throw libraryError(cause);
    }
    if (!verified.verified) throw new WebauthnError('signature-invalid');
    const { newCounter, userVerified } = verified.authenticationInfo;

    // WebAuthn L2 §6.1.1: a counter that does not increase signals a cloned authenticator.
    if ((newCounter > 0 || key.counter > 0) && newCounter <= key.counter) {
      await lockForCounterRegression(deps, { userId: user.id, credentialId: key.id, stored: key.counter, received: newCounter, sessionId: session.id, now });
      throw new WebauthnError('counter-regression');
    }
    if (!(await deps.store.webauthn.recordUse(key.id, key.counter, newCounter, now))) {
      const again = await deps.store.webauthn.get(key.id);
      throw new WebauthnError(again?.lockedAt != null ? 'credential-locked' : 'counter-race');
    }
    const after = await deps.sessions.markKeyVerified(session.id, key.id, now);
    await deps.audit.append({
      type: AUDIT_TYPE[purpose],
      actor: userActor(user.id),
      outcome: 'success',
      detail: { ...detail, userVerified, counter: newCounter },
      time: new Date(now),
    });
    return { session: after, credentialId: key.id, userVerified };
  });
}

/** Locks the key, raises the alert and ends every session the key verified. */
async function lockForCounterRegression(
  deps: WebauthnDeps,
  a: { userId: string; credentialId: string; stored: number; received: number; sessionId: string; now: number },
): Promise<void> {
  await deps.store.webauthn.lock(a.credentialId, 'counter-regression', a.now);
  await deps.audit.append({
    type: 'identity.webauthn.counter-regression',
    actor: userActor(a.userId),
    outcome: 'alert',
    detail: { credentialId: a.credentialId, storedCounter: a.stored, receivedCounter: a.received, sessionId: a.sessionId },
    time: new Date(a.now),
  });
  for (const s of await deps.sessions.listSessions(a.userId)) {
    if (s.credentialId === a.credentialId) {
      await deps.sessions.endSession({ sessionId: s.id, reason: 'credential-locked', now: a.now });
    }
  }
}

function assertionShape(v: unknown): AuthenticationResponseJSON {
  const r = v as { id?: unknown; rawId?: unknown; type?: unknown; response?: { clientDataJSON?: unknown; authenticatorData?: unknown; signature?: unknown } } | null;
  if (
    typeof r !== 'object' ||
    r === null ||
    typeof r.id !== 'string' ||
    r.id.length === 0 ||
    r.id.length > 1400 ||
    r.rawId !== r.id ||
    r.type !== 'public-key' ||
    typeof r.response !== 'object' ||
    r.response === null ||
    typeof r.response.clientDataJSON !== 'string' ||
    typeof r.response.authenticatorData !== 'string' ||
    typeof r.response.signature !== 'string'
  ) {
    throw new WebauthnError('response-malformed', { detail: 'not an AuthenticationResponseJSON' });
  }
  return r as AuthenticationResponseJSON;
}
