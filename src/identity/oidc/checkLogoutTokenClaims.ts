// OpenID Connect Back-Channel Logout 1.0, 2.6: the claim rules a logout token must meet
// once its signature, issuer, audience and times have been verified.
import type { JWTHeaderParameters, JWTPayload } from 'jose';

export const BACKCHANNEL_LOGOUT_EVENT = 'http://schemas.openid.net/event/backchannel-logout';

export type LogoutTokenProblem =
  | 'typ-not-logout'
  | 'events-missing'
  | 'nonce-present'
  | 'sub-and-sid-missing'
  | 'jti-missing'
  | 'iat-missing';

/** The problems with these claims; empty when the token is a proper logout token. */
export function checkLogoutTokenClaims(header: Pick<JWTHeaderParameters, 'typ'>, payload: JWTPayload): LogoutTokenProblem[] {
  const problems: LogoutTokenProblem[] = [];
  // 2.4: explicit typing "logout+jwt" is recommended; an absent or generic typ is tolerated,
  // any other typ (an ID token, an access token) is not a logout token.
  if (header.typ !== undefined && !/^(application\/)?(logout\+jwt|jwt)$/i.test(header.typ)) problems.push('typ-not-logout');
  // 2.4: events must be a JSON object with the back-channel logout member, itself an object.
  const events = payload.events;
  const member = isObject(events) ? events[BACKCHANNEL_LOGOUT_EVENT] : undefined;
  if (!isObject(member)) problems.push('events-missing');
  // 2.4: a nonce is prohibited, so an ID token can never pass as a logout token.
  if (payload.nonce !== undefined) problems.push('nonce-present');
  // 2.4: sub, sid or both.
  if (!nonEmpty(payload.sub) && !nonEmpty(payload.sid)) problems.push('sub-and-sid-missing');
  if (!nonEmpty(payload.jti)) problems.push('jti-missing');
  if (typeof payload.iat !== 'number') problems.push('iat-missing');
  return problems;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function nonEmpty(v: unknown): v is string {
  return typeof v === 'string' && v.length > 0 && v.length <= 255;
}
