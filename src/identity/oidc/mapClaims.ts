// Turns an IdP's claims into the local user's profile, as that IdP's config says:
// kind, organisation, department, display name, email, and roles from groups via roleMap.
import type { UserKind } from '../types.js';
import type { IdpConfig } from './types.js';

export interface MappedProfile {
  kind: Exclude<UserKind, 'service'>;
  organization: string | null;
  department: string | null;
  displayName: string | null;
  email: string | null;
  /** Sorted, de-duplicated radgate roles; only groups present in roleMap count. */
  roles: string[];
  /** The IdP groups as received (for audit), at most 50. */
  groups: string[];
}

type Mapping = Pick<IdpConfig, 'kind' | 'claims' | 'roleMap'>;

export function mapClaims(idp: Mapping, claims: Readonly<Record<string, unknown>>): MappedProfile {
  const groups = stringList(claims[idp.claims.groups]);
  const roles = new Set<string>();
  for (const g of groups) {
    // Own keys only: a group called "constructor" must not reach Object.prototype.
    if (Object.hasOwn(idp.roleMap, g)) roles.add(idp.roleMap[g]!);
  }
  return {
    kind: kindOf(idp, claims),
    organization: shortString(claims[idp.claims.organization]),
    department: shortString(claims[idp.claims.department]),
    displayName: shortString(claims[idp.claims.displayName]),
    email: shortString(claims[idp.claims.email]),
    roles: [...roles].sort(),
    groups: groups.slice(0, 50),
  };
}

/** The claim names this IdP's mapping reads (to know whether userinfo is needed). */
export function mappedClaimNames(idp: Mapping): string[] {
  const c = idp.claims;
  return [c.organization, c.department, c.groups, c.displayName, c.email, ...(c.kind ? [c.kind] : [])];
}

function kindOf(idp: Mapping, claims: Readonly<Record<string, unknown>>): MappedProfile['kind'] {
  if (!idp.claims.kind) return idp.kind;
  const v = claims[idp.claims.kind];
  // Only the two human kinds may come from an IdP; anything else keeps the IdP's default.
  return v === 'workforce' || v === 'vendor' ? v : idp.kind;
}

// Control characters would forge lines in logs and exports; lone surrogates cannot be stored
// as UTF-8 unchanged (the audit chain hashes what it stores).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u001f\u007f-\u009f]|\p{Cs}/u;

function shortString(v: unknown): string | null {
  if (typeof v !== 'string') return null;
  // eslint-disable-next-line no-control-regex
  const t = v.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ').replace(/\p{Cs}/gu, '\uFFFD').trim();
  return t.length === 0 ? null : t.slice(0, 256);
}

/** Groups arrive as an array of strings, or (some IdPs) one string; anything else is none. */
function stringList(v: unknown): string[] {
  const items = Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
  const out: string[] = [];
  for (const item of items) if (typeof item === 'string' && item.length > 0 && item.length <= 256 && !UNSAFE.test(item)) out.push(item);
  return [...new Set(out)];
}
