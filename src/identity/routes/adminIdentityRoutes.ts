// Administrator actions on identities that cannot wait for the admin console: one-time
// enrolment codes (first or replacement security key) and disabling a user.
import { Hono } from 'hono';
import { RadgateError } from '../../errors/index.js';
import type { AppEnv } from '../../http/index.js';
import { currentSession, userActor, type SessionEnv } from '../sessions/index.js';
import { requireFreshAuth } from '../stepUp/index.js';
import type { RouteDeps } from './routeDeps.js';
import { readBody } from './respond.js';

export function adminIdentityRoutes(d: RouteDeps) {
  const { identity, config } = d;
  const app = new Hono<AppEnv & SessionEnv>();
  // Admins only, and only right after a security-key verification (step-up).
  app.use('/admin/users/*', async (c, next) => {
    const { user } = currentSession(c);
    if (!user.roles.includes('admin')) {
      await d.audit.append({ type: 'identity.admin', actor: userActor(user.id), outcome: 'deny', detail: { path: c.req.path, reason: 'not-admin' } });
      throw new RadgateError('forbidden', 'administrators only');
    }
    await next();
  });
  app.use('/admin/users/*', requireFreshAuth(config.identity.stepUpMaxAge, { audit: d.audit }));
  app.post('/admin/users/:id/enrolment-code', async (c) => {
    const { user } = currentSession(c);
    const target = await d.identity.sessions.getUser(c.req.param('id'));
    if (!target) throw new RadgateError('not-found', 'no such user');
    const body = await readBody(c);
    const ttl = typeof body.ttlSeconds === 'number' ? body.ttlSeconds : undefined;
    const r = await identity.webauthn.issueEnrolmentCode({ userId: target.id, createdBy: user.id, ...(ttl ? { ttlSeconds: ttl } : {}) });
    c.header('Cache-Control', 'no-store');
    return c.json({ userId: target.id, code: r.code, expiresAt: new Date(r.expiresAt).toISOString() }, 201);
  });
  app.post('/admin/users/:id/disable', async (c) => {
    const { user } = currentSession(c);
    const id = c.req.param('id');
    if (id === user.id) throw new RadgateError('conflict', 'administrators cannot disable themselves');
    const ended = await d.identity.sessions.disableUser(id, user.id);
    return c.json({ userId: id, disabled: true, endedSessions: ended });
  });
  return app;
}
