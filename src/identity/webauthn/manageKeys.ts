// Key management for owners (and admins): list, rename, remove. The last active key is
// never removed without an administrator.
import { userActor } from '../sessions/index.js';
import { keyName, keyView } from './keyView.js';
import type { KeyView, WebauthnDeps } from './types.js';
import { WebauthnError } from './WebauthnError.js';

export async function listKeys(deps: Pick<WebauthnDeps, 'store'>, userId: string): Promise<KeyView[]> {
  return (await deps.store.webauthn.listForUser(userId)).map(keyView);
}

export async function renameKey(
  deps: Pick<WebauthnDeps, 'store' | 'audit' | 'now'>,
  args: { userId: string; credentialId: string; name: string; actorUserId?: string; now?: number },
): Promise<void> {
  const now = args.now ?? (deps.now ?? Date.now)();
  const audit = (outcome: 'success' | 'failure', reason?: string) =>
    deps.audit.append({
      type: 'identity.webauthn.key.rename',
      actor: userActor(args.actorUserId ?? args.userId),
      outcome,
      detail: { userId: args.userId, credentialId: args.credentialId, ...(reason ? { reason } : {}) },
      time: new Date(now),
    });
  let name: string;
  try {
    name = keyName(args.name);
  } catch (err) {
    await audit('failure', 'name-invalid');
    throw err;
  }
  if (!(await deps.store.webauthn.rename(args.credentialId, args.userId, name))) {
    await audit('failure', 'key-not-found');
    throw new WebauthnError('key-not-found');
  }
  await audit('success');
}

export interface RemoveKeyArgs {
  userId: string;
  credentialId: string;
  /** Who removes it: the owner, or an administrator. */
  actorUserId: string;
  /** Admin help only: allows removing the user's last active key. */
  allowLastKey?: boolean;
  /** The session doing the removal: kept, even if this key verified it. */
  currentSessionId?: string;
  now?: number;
}

/** Removes a key and ends the sessions it verified. Callers put step-up in front of it. */
export async function removeKey(deps: WebauthnDeps, args: RemoveKeyArgs): Promise<void> {
  const now = args.now ?? (deps.now ?? Date.now)();
  const audit = (outcome: 'success' | 'failure', reason?: string) =>
    deps.audit.append({
      type: 'identity.webauthn.key.remove',
      actor: userActor(args.actorUserId),
      outcome,
      detail: { userId: args.userId, credentialId: args.credentialId, allowLastKey: args.allowLastKey === true, ...(reason ? { reason } : {}) },
      time: new Date(now),
    });
  const key = await deps.store.webauthn.get(args.credentialId);
  if (key === undefined || key.userId !== args.userId) {
    await audit('failure', 'key-not-found');
    throw new WebauthnError('key-not-found');
  }
  const removed = args.allowLastKey === true ? await deps.store.webauthn.remove(args.credentialId, args.userId) : await deps.store.webauthn.removeUnlessLast(args.credentialId, args.userId);
  if (!removed) {
    // Deleted by nobody: either it was the last unlocked key, or it vanished meanwhile.
    const still = await deps.store.webauthn.get(args.credentialId);
    const reason = still === undefined ? 'key-not-found' : 'last-key';
    await audit('failure', reason);
    throw new WebauthnError(reason);
  }
  await audit('success');
  for (const s of await deps.sessions.listSessions(args.userId)) {
    if (s.credentialId === args.credentialId && s.id !== args.currentSessionId) await deps.sessions.endSession({ sessionId: s.id, reason: 'credential-removed', now });
  }
}
