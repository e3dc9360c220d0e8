// The stored user row as the rest of radgate sees it.
import type { UserRow } from '../../store/index.js';
import type { User } from '../types.js';

export function userFromRow(row: UserRow): User {
  return {
    id: row.id,
    issuer: row.issuer,
    subject: row.subject,
    kind: row.kind,
    organization: row.organization,
    department: row.department,
    displayName: row.displayName,
    email: row.email,
    roles: parseRoles(row.roles),
    disabled: row.disabled,
  };
}

function parseRoles(json: string): string[] {
  try {
    const v: unknown = JSON.parse(json);
    return Array.isArray(v) ? v.filter((r): r is string => typeof r === 'string') : [];
  } catch {
    return [];
  }
}
