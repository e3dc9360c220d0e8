// Hono middleware: find the login session of a request, and demand one.
import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import { SESSION_COOKIE, type SessionInfo, type User } from '../types.js';
import type { SessionManager } from './createSessionManager.js';
import { SessionError, isSessionError } from './SessionError.js';
import { clearSessionCookie } from './sessionCookie.js';
import type { SessionEnv, SessionVariables } from './sessionEnv.js';

export interface SessionMiddlewareDeps {
  sessions: Pick<SessionManager, 'validateSessionToken'>;
  /** Epoch ms; defaults to Date.now. */
  now?: () => number;
  /** Accept `Authorization: Bearer <token>` for agent sessions (never for browser ones). */
  bearer?: boolean;
}

/**
 * Reads the `__Host-radgate` cookie (browser sessions) or, when enabled, a bearer token
 * (agent sessions) and sets `session`, `user`, `principal` and `sessionVia`; leaves them
 * unset when there is none or it is not valid (and then clears the cookie). Store
 * failures propagate: no session is assumed when the store cannot answer.
 */
export function sessionMiddleware<E extends SessionEnv = SessionEnv>(deps: SessionMiddlewareDeps): MiddlewareHandler<E> {
  const clock = deps.now ?? Date.now;
  return async (c, next) => {
    const cx = c as unknown as Context<SessionEnv>;
    const auth = deps.bearer ? c.req.header('authorization') : undefined;
    const bearer = auth !== undefined && /^bearer /i.test(auth) ? auth.slice(7).trim() : undefined;
    const cookie = bearer === undefined ? getCookie(c, SESSION_COOKIE) : undefined;
    const token = bearer ?? cookie;
    if (token !== undefined && token !== '') {
      try {
        const v = await deps.sessions.validateSessionToken(token, { now: clock(), expectKind: bearer !== undefined ? 'agent' : 'browser' });
        cx.set('session', v.session);
        cx.set('user', v.user);
        cx.set('principal', v.principal);
        cx.set('sessionVia', bearer !== undefined ? 'bearer' : 'cookie');
      } catch (err) {
        if (!isSessionError(err)) throw err;
        if (cookie !== undefined) c.header('Set-Cookie', clearSessionCookie(), { append: true });
      }
    }
    await next();
  };
}

export interface RequireSessionOptions {
  /** 'active': OIDC and a security key; 'any': also a session still waiting for its key. */
  state: 'active' | 'any';
}

/** Throws 401 (SessionError) unless the request has a session in the required state. */
export function requireSession<E extends SessionEnv = SessionEnv>(options: RequireSessionOptions): MiddlewareHandler<E> {
  return async (c, next) => {
    currentSession(c as unknown as Context<SessionEnv>, options);
    await next();
  };
}

/** The request's session and user, or a SessionError: for handlers behind requireSession. */
export function currentSession(c: { var: SessionVariables }, options: RequireSessionOptions = { state: 'active' }): { session: SessionInfo; user: User } {
  const { session, user } = c.var;
  if (session === undefined || user === undefined) throw new SessionError('session-missing');
  if (options.state === 'active' && session.state !== 'active') throw new SessionError('security-key-required');
  return { session, user };
}
