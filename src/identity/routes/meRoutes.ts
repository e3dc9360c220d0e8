// The signed-in user's own pages: home, security keys (rename/remove), sessions (end).
import { Hono } from 'hono';
import type { AppEnv } from '../../http/index.js';
import { HomePage, KeysPage, SessionsPage } from '../pages/pages.js';
import { clearSessionCookie, csrfToken, currentSession, userActor, type SessionEnv } from '../sessions/index.js';
import { isAuthFresh } from '../stepUp/index.js';
import type { RouteDeps } from './routeDeps.js';
import { page, readBody, seeOther, str } from './respond.js';

export function meRoutes(d: RouteDeps) {
  const { identity, config } = d;
  const app = new Hono<AppEnv & SessionEnv>();
  // Browsers without an active session are sent to sign in and brought back.
  app.use('/me/*', async (c, next) => {
    const s = c.get('session');
    if (!s && c.req.method === 'GET') return c.redirect(`/auth/signin?return_to=${encodeURIComponent(c.req.path)}`);
    if (s && s.state !== 'active' && c.req.method === 'GET') return c.redirect(`/auth/key?return_to=${encodeURIComponent(c.req.path)}`);
    currentSession(c, { state: 'active' });
    await next();
  });
  app.get('/me', (c) => {
    const { session, user } = currentSession(c);
    return page(c, HomePage({ who: user.displayName ?? user.id, csrf: csrfToken(session), kind: user.kind, roles: user.roles, idp: session.idp }));
  });
  app.get('/me/keys', async (c) => {
    const { session, user } = currentSession(c);
    const keys = await identity.webauthn.listKeys(user.id);
    const notice = c.req.query('notice');
    return page(c, KeysPage({ who: user.displayName ?? user.id, csrf: csrfToken(session), keys, notice: notice === 'last-key' ? 'Your last security key cannot be removed; ask an administrator.' : notice === 'removed' ? 'Key removed.' : undefined }));
  });
  app.post('/me/keys/:id/rename', async (c) => {
    const { user } = currentSession(c);
    const name = str((await readBody(c)).name) ?? '';
    await identity.webauthn.renameKey({ userId: user.id, credentialId: c.req.param('id'), name, actorUserId: user.id });
    return seeOther(c, '/me/keys');
  });
  app.post('/me/keys/:id/remove', async (c) => {
    const { session, user } = currentSession(c);
    // Key removal is sensitive: a fresh security-key assertion first (step-up).
    if (!isAuthFresh(session, config.identity.stepUpMaxAge, Date.now())) {
      await d.audit.append({ type: 'identity.step-up', actor: userActor(user.id), outcome: 'failure', detail: { sessionId: session.id, reason: 'step-up-required', action: 'key.remove' } });
      return seeOther(c, `/auth/step-up?return_to=${encodeURIComponent('/me/keys')}`);
    }
    try {
      await identity.webauthn.removeKey({ userId: user.id, credentialId: c.req.param('id'), actorUserId: user.id, currentSessionId: session.id });
    } catch (err) {
      if ((err as { reason?: unknown }).reason === 'last-key') return seeOther(c, '/me/keys?notice=last-key');
      throw err;
    }
    return seeOther(c, '/me/keys?notice=removed');
  });
  app.get('/me/sessions', async (c) => {
    const { session, user } = currentSession(c);
    const list = await identity.sessions.listSessions(user.id);
    return page(
      c,
      SessionsPage({
        who: user.displayName ?? user.id,
        csrf: csrfToken(session),
        sessions: list.map((s) => ({ id: s.id, kind: s.kind, idp: s.idp, createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, userAgent: s.userAgent, current: s.id === session.id })),
      }),
    );
  });
  app.post('/me/sessions/:id/end', async (c) => {
    const { session, user } = currentSession(c);
    const id = c.req.param('id');
    await identity.sessions.endSession({ sessionId: id, reason: 'ended-by-user', actorUserId: user.id });
    if (id === session.id) {
      c.header('Set-Cookie', clearSessionCookie(), { append: true });
      return seeOther(c, '/auth/signin');
    }
    return seeOther(c, '/me/sessions');
  });
  return app;
}
