// How a client certificate names who and what it is for. Each identity is a URI SAN:
//   urn:radgate:user:<id>  urn:radgate:device:<id>  urn:radgate:session:<id>  urn:radgate:grant:<id>
// with <id> percent-encoded (encodeURIComponent), so ':' and ',' never appear raw.
// The trust domain is the issuing CA itself (gateways pin trustPem); it also appears
// as the subject's OU.
import { RadgateError } from '../errors/index.js';

export type IdentityKind = 'user' | 'device' | 'session' | 'grant';

export const IDENTITY_URI_PREFIX = 'urn:radgate:';
export const MAX_IDENTIFIER_LENGTH = 256;

export function identityUri(kind: IdentityKind, id: string): string {
  return `${IDENTITY_URI_PREFIX}${kind}:${encodeURIComponent(id)}`;
}

/** The (kind, id) a radgate URI names, or undefined for anything else. */
export function parseIdentityUri(uri: string): { kind: IdentityKind; id: string } | undefined {
  const m = /^urn:radgate:(user|device|session|grant):([A-Za-z0-9\-_.!~*'()%]+)$/.exec(uri);
  if (!m) return undefined;
  try {
    return { kind: m[1] as IdentityKind, id: decodeURIComponent(m[2]!) };
  } catch {
    return undefined;
  }
}

/** Identifiers are 1-256 characters without control characters. */
export function assertIdentifier(what: string, id: unknown): asserts id is string {
  // eslint-disable-next-line no-control-regex
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_IDENTIFIER_LENGTH || /[\u0000-\u001f\u007f]/.test(id)) {
    throw new RadgateError('bad-request', `${what} must be 1-${MAX_IDENTIFIER_LENGTH} characters without control characters`);
  }
}
