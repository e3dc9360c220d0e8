// Credential rows as owners and admins see them, and the checks on user-chosen names.
import type { CredentialRow } from '../../store/index.js';
import { parseStringArray } from '../sessions/sessionFromRow.js';
import type { KeyView } from './types.js';
import { WebauthnError } from './WebauthnError.js';

export function keyView(row: CredentialRow): KeyView {
  return {
    id: row.id,
    name: row.name,
    aaguid: row.aaguid,
    transports: parseStringArray(row.transports),
    deviceType: row.deviceType,
    backedUp: row.backedUp,
    createdAt: row.createdAt,
    lastUsedAt: row.lastUsedAt,
    locked: row.lockedAt !== null,
    lockedAt: row.lockedAt,
    lockReason: row.lockReason,
  };
}

const MAX_NAME = 64;

/** Trims, folds whitespace and refuses control characters and empty or long names. */
export function keyName(name: unknown): string {
  if (typeof name !== 'string') throw new WebauthnError('name-invalid');
  if (/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.test(name)) throw new WebauthnError('name-invalid', { detail: 'control characters' });
  const n = name.trim().replace(/\s+/g, ' ');
  if (n.length === 0 || n.length > MAX_NAME) throw new WebauthnError('name-invalid', { detail: `length ${n.length}` });
  return n;
}

const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

/** Only the transports WebAuthn defines, each once. */
export function cleanTransports(t: unknown): string[] {
  return Array.isArray(t) ? [...new Set(t.filter((x): x is string => typeof x === 'string' && TRANSPORTS.has(x)))] : [];
}
