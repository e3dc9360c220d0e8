// Admin JSON API for behavioural alerts: list (open or all, per subject) and acknowledge.
// Mounted behind the session middleware; administrators only.
import { Hono } from 'hono';
import { RadgateError } from '../errors/index.js';
import type { Analytics } from './createAnalytics.js';

interface SessionVars {
  user?: { id: string; roles: readonly string[] };
  session?: { state: string };
}

function requireAdmin(c: { var: unknown }): string {
  const { user, session } = c.var as SessionVars;
  if (!user || !session || session.state !== 'active') throw new RadgateError('unauthenticated', 'sign in with your security key');
  if (!user.roles.includes('admin')) throw new RadgateError('forbidden', 'administrators only');
  return user.id;
}

export function analyticsRoutes(analytics: Pick<Analytics, 'listAlerts' | 'acknowledge' | 'riskScore'>) {
  const app = new Hono();
  app.get('/admin/api/alerts', async (c) => {
    requireAdmin(c);
    const open = c.req.query('open');
    const limit = Number(c.req.query('limit') ?? 100);
    const subject = c.req.query('subject');
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new RadgateError('bad-request', 'limit: expected 1-1000');
    const rows = await analytics.listAlerts({ ...(open === 'true' ? { open: true } : open === 'false' ? { open: false } : {}), ...(subject ? { subject } : {}), limit });
    return c.json({
      alerts: rows.map((r) => ({ ...r, detectedAt: new Date(r.detectedAt).toISOString(), acknowledgedAt: r.acknowledgedAt ? new Date(r.acknowledgedAt).toISOString() : null, explanation: JSON.parse(r.explanation) as unknown })),
    });
  });
  app.get('/admin/api/risk/:userId', (c) => {
    requireAdmin(c);
    return c.json({ userId: c.req.param('userId'), score: analytics.riskScore(c.req.param('userId')) });
  });
  app.post('/admin/api/alerts/:id/acknowledge', async (c) => {
    const by = requireAdmin(c);
    const ok = await analytics.acknowledge(c.req.param('id'), by);
    if (!ok) throw new RadgateError('not-found', 'no open alert with that id');
    return c.json({ id: c.req.param('id'), acknowledged: true });
  });
  return app;
}
