// Entity uids as people type them: `User::"alice"`, `Radgate::User::"alice"` or {type, id}.
import type { EntityRef } from './types.js';

const UID = /^((?:[A-Za-z_][A-Za-z0-9_]*::)*[A-Za-z_][A-Za-z0-9_]*)::("(?:[^"\\]|\\.)*")$/;

/** Parses `Type::"id"`; a type without a namespace gets `namespace`. Undefined when malformed. */
export function parseEntityUid(input: unknown, namespace: string): EntityRef | undefined {
  if (typeof input === 'object' && input !== null) {
    const { type, id } = input as { type?: unknown; id?: unknown };
    if (typeof type !== 'string' || typeof id !== 'string') return undefined;
    return { type: qualify(type, namespace), id };
  }
  if (typeof input !== 'string') return undefined;
  const m = UID.exec(input.trim());
  if (!m) return undefined;
  let id: unknown;
  try {
    id = JSON.parse(m[2]!);
  } catch {
    return undefined;
  }
  return typeof id === 'string' ? { type: qualify(m[1]!, namespace), id } : undefined;
}

function qualify(type: string, namespace: string): string {
  return type.includes('::') ? type : `${namespace}::${type}`;
}
