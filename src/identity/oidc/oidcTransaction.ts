// The OIDC login transaction as stored in the single-use challenges table.
import type { OidcTransaction } from './types.js';

export const OIDC_LOGIN_PURPOSE = 'oidc.login';
/** OIDC transactions live at most ten minutes. */
export const MAX_TRANSACTION_TTL_SECONDS = 600;

export function encodeTransaction(tx: OidcTransaction): string {
  return JSON.stringify(tx);
}

/** Parses a stored payload; undefined when it is not a transaction (never trusted blindly). */
export function decodeTransaction(payload: string): OidcTransaction | undefined {
  let v: unknown;
  try {
    v = JSON.parse(payload);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  const str = (k: string) => typeof o[k] === 'string' && (o[k] as string).length > 0;
  if (!str('idp') || !str('codeVerifier') || !str('nonce') || !str('returnTo')) return undefined;
  if (o.agentRequest !== null && typeof o.agentRequest !== 'string') return undefined;
  return {
    idp: o.idp as string,
    codeVerifier: o.codeVerifier as string,
    nonce: o.nonce as string,
    returnTo: o.returnTo as string,
    agentRequest: o.agentRequest as string | null,
  };
}
