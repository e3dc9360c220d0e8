// Login sessions: create, validate (the hot path, through a warm cache), verify with a
// security key, list and end. Tokens are 256-bit, stored as SHA-256 only; every
// security-relevant outcome is audited; ends are announced on the event bus.
import { randomBytes } from 'node:crypto';
import type { AuditEventInput } from '../../audit/index.js';
import type { EntityDescription } from '../../policy/index.js';
import type { SessionRow } from '../../store/index.js';
import type { AuthFacts, SessionInfo, User } from '../types.js';
import { authFacts } from './authFacts.js';
import { principalFor, userActor } from './principalFor.js';
import { SessionCache, type CachedSession } from './SessionCache.js';
import { SessionError, type SessionFailureReason } from './SessionError.js';
import { sessionFromRow, userFromRow } from './sessionFromRow.js';
import { sessionRejection } from './sessionRejection.js';
import { hashSessionToken, isWellFormedToken, newSessionId, newSessionToken } from './sessionToken.js';
import { toListing, type CreateSessionInput, type SessionListing, type SessionManagerDeps, type ValidatedSession } from './sessionTypes.js';

export { sessionTimeoutsFromConfig } from './sessionTypes.js';
export type { SessionTimeoutConfig, SessionManagerDeps, CreateSessionInput, ValidatedSession, SessionListing } from './sessionTypes.js';

export type SessionManager = ReturnType<typeof createSessionManager>;

const MAX_UA = 256;

export function createSessionManager(deps: SessionManagerDeps) {
  const clock = deps.now ?? Date.now;
  const { store, timeouts } = deps;
  const cache = new SessionCache(deps.cacheTtlMs ?? 5000, deps.cacheMaxEntries ?? 100_000);
  const touchIntervalMs = deps.touchIntervalMs ?? Math.min(60_000, Math.floor((timeouts.idleSeconds * 1000) / 4));
  const principals = new Map<string, { user: User; principal: EntityDescription }>();
  const onBackgroundError = deps.onBackgroundError ?? (() => undefined);

  const audit = (e: Omit<AuditEventInput, 'time'>, now: number) => deps.audit.append({ ...e, time: new Date(now) });

  function cachedPrincipal(user: User): EntityDescription {
    const hit = principals.get(user.id);
    if (hit !== undefined && (hit.user === user || samePrincipalFacts(hit.user, user))) return hit.principal;
    const principal = principalFor(user);
    principals.set(user.id, { user, principal });
    return principal;
  }

  function invalidateUser(userId: string): void {
    cache.dropUser(userId);
    principals.delete(userId);
  }

  // Other replicas (and other modules) announce ends and disables here; handlers run later,
  // so this module never relies on them for its own writes.
  const unsubscribe = [
    deps.bus.on('session.ended', (e) => cache.dropSession(e.sessionId)),
    deps.bus.on('user.disabled', (e) => invalidateUser(e.userId)),
    deps.bus.on('entities.changed', (e) => {
      if (e.what.startsWith('user')) {
        principals.clear();
        cache.clear();
      }
    }),
  ];

  async function load(tokenHash: string): Promise<CachedSession | SessionFailureReason> {
    const row = await store.sessions.getByTokenHash(tokenHash);
    if (row === undefined) return 'session-unknown';
    const session = sessionFromRow(row);
    const userRow = await store.users.get(session.userId);
    if (userRow === undefined) return 'user-unknown';
    const user = userFromRow(userRow);
    return { session, user, principal: cachedPrincipal(user), loadedAt: 0 };
  }

  async function reject(reason: SessionFailureReason, now: number, found?: { session: SessionInfo; user: User }): Promise<never> {
    if (found && (reason === 'idle-timeout' || reason === 'absolute-timeout')) {
      await endSession({ sessionId: found.session.id, reason, now });
    }
    await audit(
      {
        type: 'identity.session.reject',
        actor: found ? userActor(found.user.id) : 'anonymous',
        outcome: 'failure',
        detail: found ? { reason, sessionId: found.session.id, kind: found.session.kind } : { reason },
      },
      now,
    );
    throw new SessionError(reason);
  }

  async function createSession(input: CreateSessionInput): Promise<{ token: string; session: SessionInfo }> {
    const now = input.now ?? clock();
    if (input.user.disabled) {
      await audit({ type: 'identity.session.create', actor: userActor(input.user.id), outcome: 'failure', detail: { reason: 'user-disabled' } }, now);
      throw new SessionError('user-disabled');
    }
    const token = newSessionToken();
    const life = input.kind === 'agent' ? timeouts.agentAbsoluteSeconds : timeouts.absoluteSeconds;
    const row: SessionRow = {
      id: newSessionId(),
      tokenHash: hashSessionToken(token),
      userId: input.user.id,
      kind: input.kind,
      state: input.state,
      idp: input.idp,
      idpSid: input.idpSid,
      amr: JSON.stringify([...new Set(input.amr)]),
      credentialId: input.credentialId ?? null,
      parentId: input.parentId ?? null,
      csrfSecret: randomBytes(32).toString('base64url'),
      userAgent: input.userAgent ? input.userAgent.slice(0, MAX_UA) : null,
      sourceIp: input.sourceIp ?? null,
      createdAt: now,
      lastSeenAt: now,
      expiresAt: now + life * 1000,
      oidcAt: input.oidcAt,
      verifiedAt: input.verifiedAt ?? null,
      endedAt: null,
      endReason: null,
    };
    await store.sessions.insert(row);
    await audit(
      {
        type: 'identity.session.create',
        actor: userActor(input.user.id),
        outcome: 'success',
        detail: { sessionId: row.id, kind: row.kind, state: row.state, idp: row.idp, parentId: row.parentId },
      },
      now,
    );
    return { token, session: sessionFromRow(row) };
  }

  async function validateSessionToken(token: string, opts: { now: number; expectKind?: SessionInfo['kind'] }): Promise<ValidatedSession> {
    const { now } = opts;
    if (!isWellFormedToken(token)) return reject('token-malformed', now);
    const hash = hashSessionToken(token);
    let entry = cache.get(hash, now);
    let reason = entry ? sessionRejection(entry.session, entry.user, now, timeouts, opts.expectKind) : null;
    if (entry === undefined || reason !== null) {
      // A miss, or a cached entry that says no: the store has the last word.
      cache.delete(hash);
      const loaded = await load(hash);
      if (typeof loaded === 'string') return reject(loaded, now);
      entry = { ...loaded, loadedAt: now };
      reason = sessionRejection(entry.session, entry.user, now, timeouts, opts.expectKind);
      if (reason !== null) return reject(reason, now, entry);
      cache.set(hash, entry);
    }
    if (now - entry.session.lastSeenAt >= touchIntervalMs) {
      const session = Object.freeze({ ...entry.session, lastSeenAt: now });
      cache.replaceSession(hash, session);
      entry = { ...entry, session };
      // Not awaited: a lost touch only makes the idle timeout end the session earlier.
      store.sessions.touch(session.id, now).catch(onBackgroundError);
    }
    return { session: entry.session, user: entry.user, principal: entry.principal };
  }

  async function endSession(input: { sessionId: string; reason: string; actorUserId?: string; now?: number }): Promise<boolean> {
    const now = input.now ?? clock();
    const row = await store.sessions.get(input.sessionId);
    if (row === undefined || (input.actorUserId !== undefined && row.userId !== input.actorUserId)) {
      if (input.actorUserId !== undefined) {
        await audit(
          { type: 'identity.session.end', actor: userActor(input.actorUserId), outcome: 'failure', detail: { reason: 'session-not-found', sessionId: input.sessionId } },
          now,
        );
        throw new SessionError('session-not-found');
      }
      return false;
    }
    const ended = await store.sessions.end(row.id, input.reason, now);
    cache.dropSession(row.id);
    if (!ended) return false;
    deps.bus.emit({ type: 'session.ended', sessionId: row.id, userId: row.userId, reason: input.reason });
    await audit(
      {
        type: 'identity.session.end',
        actor: userActor(input.actorUserId ?? row.userId),
        outcome: 'success',
        detail: { sessionId: row.id, reason: input.reason, kind: row.kind },
      },
      now,
    );
    return true;
  }

  /** Ends every live session matching the filter (user disabled, back-channel logout, parent ended). */
  async function endSessionsWhere(filter: { userId?: string; idpSid?: string; parentId?: string }, reason: string, now = clock()): Promise<string[]> {
    const rows = filter.userId !== undefined ? await store.sessions.listForUser(filter.userId, { limit: 10_000 }) : [];
    const ids = await store.sessions.endWhere(filter, reason, now);
    for (const id of ids) {
      cache.dropSession(id);
      const userId = rows.find((r) => r.id === id)?.userId ?? (await store.sessions.get(id))?.userId ?? '';
      deps.bus.emit({ type: 'session.ended', sessionId: id, userId, reason });
      await audit({ type: 'identity.session.end', actor: userId ? userActor(userId) : 'system', outcome: 'success', detail: { sessionId: id, reason } }, now);
    }
    return ids;
  }

  async function getUser(userId: string): Promise<User | undefined> {
    const row = await store.users.get(userId);
    return row === undefined ? undefined : userFromRow(row);
  }

  /** Disables a local user: no sign-in whatever the IdP says; every live session ends. */
  async function disableUser(userId: string, actorUserId: string, now = clock()): Promise<string[]> {
    if (!(await store.users.setDisabled(userId, true, now))) throw new SessionError('session-unknown', { detail: `no user ${userId}` });
    invalidateUser(userId);
    await audit({ type: 'identity.user.disable', actor: userActor(actorUserId), outcome: 'success', detail: { userId } }, now);
    deps.bus.emit({ type: 'user.disabled', userId });
    return endSessionsWhere({ userId }, 'user-disabled', now);
  }

  async function listSessions(userId: string, opts: { includeEnded?: boolean } = {}): Promise<SessionListing[]> {
    const rows = await store.sessions.listForUser(userId, { includeEnded: opts.includeEnded ?? false });
    return rows.map(toListing);
  }

  async function getSession(sessionId: string): Promise<SessionInfo | undefined> {
    const row = await store.sessions.get(sessionId);
    return row === undefined ? undefined : sessionFromRow(row);
  }

  /** A verified security-key assertion: pending-key -> active, verifiedAt and amr updated. */
  async function markKeyVerified(sessionId: string, credentialId: string, at: number): Promise<SessionInfo> {
    const row = await store.sessions.get(sessionId);
    if (row === undefined) throw new SessionError('session-unknown');
    if (row.state === 'ended') throw new SessionError('session-ended');
    const amr = JSON.stringify([...new Set([...sessionFromRow(row).amr, 'webauthn'])]);
    const updated = await store.sessions.markVerified(sessionId, credentialId, amr, at);
    cache.dropSession(sessionId);
    const after = await store.sessions.get(sessionId);
    if (!updated || after === undefined) throw new SessionError('session-ended');
    return sessionFromRow(after);
  }

  /** An agent session under a live browser session (RFC 8252 / device flow consent). */
  async function mintAgentSession(input: { parentSessionId: string; userId: string; now?: number }): Promise<{ token: string; session: SessionInfo; user: User }> {
    const now = input.now ?? clock();
    const parentRow = await store.sessions.get(input.parentSessionId);
    const userRow = await store.users.get(input.userId);
    const parent = parentRow && sessionFromRow(parentRow);
    const user = userRow && userFromRow(userRow);
    if (!parent || !user || parent.userId !== user.id) throw new SessionError('session-unknown');
    const reason = sessionRejection(parent, user, now, timeouts) ?? (parent.state !== 'active' ? 'security-key-required' : null);
    if (reason !== null) throw new SessionError(reason);
    const { token, session } = await createSession({
      user,
      kind: 'agent',
      idp: parent.idp,
      amr: parent.amr,
      idpSid: parent.idpSid,
      oidcAt: parent.oidcAt,
      state: 'active',
      parentId: parent.id,
      credentialId: parent.credentialId,
      verifiedAt: parent.verifiedAt,
      now,
    });
    return { token, session, user };
  }

  return {
    createSession,
    validateSessionToken,
    endSession,
    endSessionsWhere,
    listSessions,
    getSession,
    getUser,
    disableUser,
    markKeyVerified,
    mintAgentSession,
    authFacts: (session: SessionInfo, now: number): AuthFacts => authFacts(session, now),
    principalFor: cachedPrincipal,
    invalidateUser,
    /** Entries in the warm cache (metrics, tests). */
    cacheSize: () => cache.size,
    close(): void {
      for (const off of unsubscribe) off();
      cache.clear();
      principals.clear();
    },
  };
}

function samePrincipalFacts(a: User, b: User): boolean {
  return (
    a.kind === b.kind &&
    a.organization === b.organization &&
    a.department === b.department &&
    a.roles.length === b.roles.length &&
    a.roles.every((r, i) => r === b.roles[i])
  );
}
