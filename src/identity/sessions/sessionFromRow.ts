// Store rows to the identity module's shapes (frozen: they are shared through caches).
import type { SessionRow, UserRow } from '../../store/index.js';
import type { SessionInfo, User } from '../types.js';

export function sessionFromRow(row: SessionRow): SessionInfo {
  return Object.freeze({
    id: row.id,
    userId: row.userId,
    kind: row.kind,
    state: row.state,
    idp: row.idp,
    idpSid: row.idpSid,
    amr: Object.freeze(parseStringArray(row.amr)) as string[],
    credentialId: row.credentialId,
    parentId: row.parentId,
    csrfSecret: row.csrfSecret,
    createdAt: row.createdAt,
    lastSeenAt: row.lastSeenAt,
    expiresAt: row.expiresAt,
    oidcAt: row.oidcAt,
    verifiedAt: row.verifiedAt,
  });
}

export function userFromRow(row: UserRow): User {
  return Object.freeze({
    id: row.id,
    issuer: row.issuer,
    subject: row.subject,
    kind: row.kind,
    organization: row.organization,
    department: row.department,
    displayName: row.displayName,
    email: row.email,
    roles: Object.freeze(parseStringArray(row.roles)) as string[],
    disabled: row.disabled,
  });
}

/** A JSON array of strings; anything else reads as empty (never throws on bad rows). */
export function parseStringArray(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}
