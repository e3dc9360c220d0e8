// Who is calling the console or admin API: an active (OIDC + security key) session of a
// user with the admin or auditor role, whom policy allows `admin.read`. Writes need the
// admin role on top. Every refusal is audited.
import type { Context } from 'hono';
import { authContext, authFacts, isAuthFresh, type SessionInfo, type User } from '../identity/index.js';
import type { EntityDescription, VersionActor } from '../policy/index.js';
import { AdminError } from './AdminError.js';
import type { AdminDeps, AdminEnv } from './adminDeps.js';

export interface AdminCaller {
  user: User;
  session: SessionInfo;
  principal: EntityDescription;
  isAdmin: boolean;
  via: 'cookie' | 'bearer';
  actor: VersionActor;
}

export const BROKER_ENTITY: EntityDescription = Object.freeze({ uid: Object.freeze({ type: 'Radgate::Broker', id: 'radgate' }) });

export function actorUid(userId: string): string {
  return `Radgate::User::${JSON.stringify(userId)}`;
}

/** Reads: role admin or auditor, then `admin.read` through authorize(). */
export async function adminReader(d: AdminDeps, c: Context<AdminEnv>): Promise<AdminCaller> {
  const { session, user, principal, sessionVia } = c.var;
  if (!session || !user || !principal) throw new AdminError('sign-in-required');
  if (session.state !== 'active') throw new AdminError('security-key-required');
  const roles = d.config.admin;
  const isAdmin = user.roles.includes(roles.adminRole);
  if (!isAdmin && !user.roles.includes(roles.auditorRole)) {
    await d.audit.append({ type: 'admin.access', actor: actorUid(user.id), outcome: 'deny', detail: { path: c.req.path, reason: 'no-admin-role' } });
    throw new AdminError('not-admin');
  }
  const now = Date.now();
  const context = { auth: authContext(authFacts(session, now)) };
  const decision = d.policy.authorize(principal, 'admin.read', BROKER_ENTITY, context);
  await decision.durable;
  if (decision.decision !== 'allow') throw new AdminError('not-admin', { detail: decision.reasons.join(',') });
  return {
    user,
    session,
    principal,
    isAdmin,
    via: sessionVia ?? 'cookie',
    actor: { userId: user.id, principal, context, stepUpFresh: isAuthFresh(session, d.config.identity.stepUpMaxAge, now) },
  };
}

/** Writes: a reader who also holds the admin role; auditors are refused (and audited). */
export async function adminWriter(d: AdminDeps, c: Context<AdminEnv>, action: string): Promise<AdminCaller> {
  const caller = await adminReader(d, c);
  if (!caller.isAdmin) {
    await d.audit.append({ type: 'admin.write', actor: actorUid(caller.user.id), outcome: 'deny', detail: { action, path: c.req.path, reason: 'read-only-role' } });
    throw new AdminError('read-only');
  }
  return caller;
}
