// Back-channel logout: a verified logout token ends the matching login sessions, each end
// goes on the bus (the live-session registry cuts that session's data-plane connections),
// and the whole outcome is audited. A refused token changes nothing but the audit log.
import type { OidcRpDeps } from './types.js';
import { OidcError } from './OidcError.js';
import { ANONYMOUS, auditFailure, clip, userActor } from './identityAudit.js';
import { verifyLogoutToken } from './verifyLogoutToken.js';

export const BACKCHANNEL_LOGOUT_REASON = 'backchannel-logout';

export interface BackchannelLogoutResult {
  /** Ids of the login sessions this token ended (may be empty: nothing to end is success). */
  endedSessions: string[];
  userId: string | null;
}

export async function handleBackchannelLogout(deps: OidcRpDeps, idpName: string, token: string): Promise<BackchannelLogoutResult> {
  // The name comes from the request path: recorded clipped, whatever it is.
  const ctx: { actor: string; idp: string; issuer?: string; subject?: string | null } = { actor: ANONYMOUS, idp: clip(idpName, 64) };
  try {
    if (!deps.clients.has(idpName)) throw new OidcError('idp-unknown', { detail: `no identity provider named "${idpName}"` });
    const claims = await verifyLogoutToken(deps, idpName, token);
    ctx.issuer = claims.iss;
    ctx.subject = claims.sub;
    const now = (deps.now ?? Date.now)();

    let userId: string | null = null;
    let ended: string[] = [];
    if (claims.sub !== null) {
      // Users are keyed by (issuer, sub), so this never reaches another IdP's user.
      const user = await deps.store.users.getBySubject(claims.iss, claims.sub);
      if (user) {
        userId = user.id;
        ctx.actor = userActor(user.id);
        const filter = claims.sid !== null ? { userId: user.id, idpSid: claims.sid } : { userId: user.id };
        ended = await deps.store.sessions.endWhere(filter, BACKCHANNEL_LOGOUT_REASON, now);
      }
    } else if (claims.sid !== null) {
      // A sid is only unique within its IdP: never end another IdP's sessions.
      ended = await deps.store.sessions.endWhere({ idp: idpName, idpSid: claims.sid }, BACKCHANNEL_LOGOUT_REASON, now);
    }

    for (const sessionId of ended) {
      const owner = userId ?? (await deps.store.sessions.get(sessionId))?.userId ?? '';
      deps.bus.emit({ type: 'session.ended', sessionId, userId: owner, reason: BACKCHANNEL_LOGOUT_REASON });
    }
    await deps.audit.append({
      type: 'identity.backchannel-logout',
      actor: ctx.actor,
      outcome: 'success',
      detail: { idp: idpName, issuer: claims.iss, subject: claims.sub, sid: claims.sid, endedSessions: ended },
    });
    return { endedSessions: ended, userId };
  } catch (err) {
    throw await auditFailure(deps.audit, 'identity.backchannel-logout', err, ctx);
  }
}
