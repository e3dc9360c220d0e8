// The AuthFacts of a login session, as identity computes them (identity's index exports
// authContext but not authFacts; same rule: age since the last key verification).
import type { AuthFacts, SessionInfo } from '../identity/index.js';

export function sessionAuthFacts(session: SessionInfo, now: number): AuthFacts {
  const since = session.verifiedAt ?? session.oidcAt;
  return {
    idp: session.idp,
    methods: [...session.amr],
    webauthn: session.credentialId !== null && session.verifiedAt !== null,
    credentialId: session.credentialId,
    ageSeconds: Math.max(0, Math.floor((now - since) / 1000)),
  };
}
