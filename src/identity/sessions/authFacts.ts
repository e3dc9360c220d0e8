// A session's authentication facts, and the `context.auth` record policy sees.
import type { DecisionContext } from '../../policy/index.js';
import type { AuthFacts, SessionInfo } from '../types.js';

export function authFacts(session: SessionInfo, now: number): AuthFacts {
  const webauthn = session.credentialId !== null && session.verifiedAt !== null;
  const since = session.verifiedAt ?? session.oidcAt;
  return {
    idp: session.idp,
    methods: [...session.amr],
    webauthn,
    credentialId: session.credentialId,
    ageSeconds: Math.max(0, Math.floor((now - since) / 1000)),
  };
}

/** Exactly the schema's `AuthInfo` (strict validation rejects extra attributes). */
export function authContext(facts: AuthFacts): NonNullable<DecisionContext['auth']> {
  return { methods: facts.methods, webauthn: facts.webauthn, ageSeconds: facts.ageSeconds };
}
