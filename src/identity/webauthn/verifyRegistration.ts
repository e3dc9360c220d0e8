// Verifies a registration (attestation) and stores the new key. Checks, in order: the
// session is this user's, the challenge is live and ours (taken: single use), the origin
// and RP ID are ours, the bootstrap rule, the attestation, the AAGUID allow-list, the
// enrolment code when one is needed. A first key activates a pending session.
import { verifyRegistrationResponse, type RegistrationResponseJSON } from '@simplewebauthn/server';
import { SessionError, userActor } from '../sessions/index.js';
import type { SessionInfo, User } from '../types.js';
import { assertSessionUser } from './assertSessionUser.js';
import { auditFailures } from './auditFailure.js';
import { takeChallenge } from './ceremonyChallenge.js';
import { enrolmentCodeHash } from './enrolmentCode.js';
import { cleanTransports, keyName, keyView } from './keyView.js';
import { attestationRpIdHash, readClientData, rpIdHashMatches } from './readResponse.js';
import { SUPPORTED_ALGORITHMS } from './registrationOptions.js';
import { registrationRoute } from './registrationRoute.js';
import { requiresUserVerification } from './relyingParty.js';
import { CHALLENGE_PURPOSE, type KeyView, type WebauthnDeps } from './types.js';
import { WebauthnError } from './WebauthnError.js';

export interface VerifyRegistrationArgs {
  session: SessionInfo;
  user: User;
  /** The browser's RegistrationResponseJSON, unchecked. */
  response: unknown;
  enrolmentCode?: string | undefined;
  name?: string | undefined;
  now?: number;
}

export async function verifyRegistration(deps: WebauthnDeps, args: VerifyRegistrationArgs): Promise<{ key: KeyView; session: SessionInfo }> {
  const now = args.now ?? (deps.now ?? Date.now)();
  const { session, user } = args;
  const detail: Record<string, unknown> = { sessionId: session.id };
  return auditFailures(deps, { type: 'identity.webauthn.register', userId: user.id, now, detail }, async () => {
    assertSessionUser(session, user);
    const response = registrationShape(args.response);
    detail.credentialId = response.id;
    const clientData = readClientData(response.response.clientDataJSON);
    if (clientData.type !== 'webauthn.create') throw new WebauthnError('response-malformed', { detail: `type ${clientData.type}` });
    const challenge = await takeChallenge(deps, { purpose: CHALLENGE_PURPOSE.register, challenge: clientData.challenge, session, user, now });
    if (challenge === undefined) throw new WebauthnError('challenge-invalid');
    if (!deps.rp.origins.includes(clientData.origin)) throw new WebauthnError('origin-mismatch', { detail: `origin ${clientData.origin}` });
    if (!rpIdHashMatches(attestationRpIdHash(response.response.attestationObject), deps.rp.rpId)) throw new WebauthnError('rpid-mismatch');

    const existing = await deps.store.webauthn.listForUser(user.id);
    const route = registrationRoute({ session, activeKeys: existing.filter((k) => k.lockedAt === null).length, anyKeys: existing.length, rp: deps.rp, now });
    detail.route = route.route;
    if (route.route === 'refused') throw new SessionError(route.reason);
    const code = args.enrolmentCode?.trim();
    if (route.route === 'enrolment-code' && !code) {
      throw new WebauthnError(route.because === 'window-closed' ? 'enrolment-window-closed' : 'enrolment-code-required');
    }
    const name = args.name === undefined || args.name.trim() === '' ? `Security key ${existing.length + 1}` : keyName(args.name);

    const uv = challenge.payload.uv || requiresUserVerification(deps.rp, user.roles);
    let verified;
    try {
      verified = await verifyRegistrationResponse({
        response,
        expectedChallenge: challenge.matches,
        expectedOrigin: [...deps.rp.origins],
        expectedRPID: deps.rp.rpId,
        requireUserPresence: true,
        requireUserVerification: uv,
        supportedAlgorithmIDs: SUPPORTED_ALGORITHMS,
      });
    } catch (cause) {
      throw libraryError(cause);
    }
    if (!verified.verified) throw new WebauthnError('response-invalid', { detail: 'attestation not verified' });
    const info = verified.registrationInfo;
    const aaguid = info.aaguid.toLowerCase();
    detail.aaguid = aaguid;
    if (deps.rp.aaguidAllowlist.length > 0 && !deps.rp.aaguidAllowlist.includes(aaguid)) throw new WebauthnError('aaguid-not-allowed');
    if ((await deps.store.webauthn.get(info.credential.id)) !== undefined) throw new WebauthnError('credential-exists');
    // The code is spent only once everything else about the registration has passed.
    if (route.route === 'enrolment-code' && !(await deps.store.challenges.useEnrolmentCode(enrolmentCodeHash(code!), user.id, now))) {
      throw new WebauthnError('enrolment-code-invalid');
    }

    const row = {
      id: info.credential.id,
      userId: user.id,
      publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
      counter: info.credential.counter,
      transports: JSON.stringify(cleanTransports(response.response.transports)),
      aaguid,
      name,
      deviceType: info.credentialDeviceType,
      backedUp: info.credentialBackedUp,
      createdAt: now,
      lastUsedAt: null,
      lockedAt: null,
      lockReason: null,
    };
    await deps.store.webauthn.insert(row);
    // A first key completes the sign-in it was registered in.
    const after = session.state === 'pending-key' ? await deps.sessions.markKeyVerified(session.id, row.id, now) : session;
    await deps.audit.append({
      type: 'identity.webauthn.register',
      actor: userActor(user.id),
      outcome: 'success',
      detail: { ...detail, fmt: info.fmt, userVerified: info.userVerified, enrolmentCode: route.route === 'enrolment-code' },
      time: new Date(now),
    });
    return { key: keyView(row), session: after };
  });
}

function registrationShape(v: unknown): RegistrationResponseJSON {
  const r = v as { id?: unknown; rawId?: unknown; type?: unknown; response?: { clientDataJSON?: unknown; attestationObject?: unknown } } | null;
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
    typeof r.response.attestationObject !== 'string'
  ) {
    throw new WebauthnError('response-malformed', { detail: 'not a RegistrationResponseJSON' });
  }
  return r as RegistrationResponseJSON;
}

/** SimpleWebAuthn throws plain Errors: name the ones with a stable meaning. */
export function libraryError(cause: unknown): WebauthnError {
  const e = cause instanceof Error ? cause : new Error(String(cause));
  if (e.name === 'UnexpectedRPIDHash') return new WebauthnError('rpid-mismatch', { cause });
  if (/user verification/i.test(e.message)) return new WebauthnError('user-verification-required', { detail: e.message, cause });
  if (/origin/i.test(e.message)) return new WebauthnError('origin-mismatch', { detail: e.message, cause });
  return new WebauthnError('response-invalid', { detail: e.message, cause });
}
