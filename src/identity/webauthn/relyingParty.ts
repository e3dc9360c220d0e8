// The relying-party settings every ceremony is checked against, resolved once from config.
import { isIP } from 'node:net';
import type { Config } from '../../config/index.js';
import { RadgateError } from '../../errors/index.js';

export interface RelyingParty {
  rpId: string;
  rpName: string;
  /** Exact origins accepted in clientDataJSON (and by CSRF checks). */
  origins: readonly string[];
  userVerificationRoles: readonly string[];
  /** Lower-case AAGUIDs; empty allows any. */
  aaguidAllowlist: readonly string[];
  enrolment: 'oidc-window' | 'admin-code';
  /** At most 600 s. */
  enrolmentWindowSeconds: number;
  /** At most 300 s. */
  challengeTtlSeconds: number;
  /** Freshness demanded before adding another key. */
  stepUpMaxAgeSeconds: number;
}

/** Challenges never live longer than five minutes, whatever config says. */
export const MAX_CHALLENGE_TTL_SECONDS = 300;
/** A first key is registered at most ten minutes after the OIDC sign-in, whatever config says. */
export const MAX_ENROLMENT_WINDOW_SECONDS = 600;

export function relyingPartyFromConfig(config: Config): RelyingParty {
  const w = config.identity.webauthn;
  const publicUrl = new URL(config.publicUrl);
  const rpId = w.rpId ?? publicUrl.hostname;
  if (isIP(rpId.replace(/^\[|\]$/g, '')) !== 0) {
    throw new RadgateError('config-invalid', `identity.webauthn.rpId: "${rpId}" is an IP address; WebAuthn needs a domain (e.g. localhost)`);
  }
  const origins = (w.origins ?? [publicUrl.origin]).map((o) => new URL(o).origin);
  for (const o of origins) {
    const host = new URL(o).hostname;
    // WebAuthn: the RP ID must be the origin's host or a registrable suffix of it.
    if (host !== rpId && !host.endsWith(`.${rpId}`)) {
      throw new RadgateError('config-invalid', `identity.webauthn.origins: ${o} is not within rpId "${rpId}"`);
    }
  }
  return Object.freeze({
    rpId,
    rpName: w.rpName,
    origins: Object.freeze(origins),
    userVerificationRoles: Object.freeze([...w.userVerificationRoles]),
    aaguidAllowlist: Object.freeze(w.aaguidAllowlist.map((a) => a.toLowerCase())),
    enrolment: w.enrolment,
    enrolmentWindowSeconds: Math.min(w.enrolmentWindow, MAX_ENROLMENT_WINDOW_SECONDS),
    challengeTtlSeconds: Math.min(w.challengeTtl, MAX_CHALLENGE_TTL_SECONDS),
    stepUpMaxAgeSeconds: config.identity.stepUpMaxAge,
  });
}

/** User verification is required when the user holds a role config marks so. */
export function requiresUserVerification(rp: Pick<RelyingParty, 'userVerificationRoles'>, roles: readonly string[]): boolean {
  return roles.some((r) => rp.userVerificationRoles.includes(r));
}
