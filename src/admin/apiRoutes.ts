// The admin JSON API (for `radgate policy …` with an admin's agent session, and scripts):
// policy versions, diff, impact, proposals and rollbacks; audit search. Approval is
// browser-only: it needs a WebAuthn step-up in the console.
import { Hono } from 'hono';
import { actorUid, adminReader, adminWriter } from './adminCaller.js';
import { AdminError } from './AdminError.js';
import type { AdminDeps, AdminEnv } from './adminDeps.js';
import { parseAuditQuery } from './auditQuery.js';
import { readBody } from './respond.js';
import { searchAudit } from './searchAudit.js';
import { isPolicyVersionError, type VersionView } from '../policy/index.js';
import { toProblem } from '../errors/index.js';

const summary = (v: VersionView) => ({ id: v.id, short: v.short, state: v.state, author: v.author, message: v.message, approvedBy: v.approvedBy, createdAt: v.createdAt, activatedAt: v.activatedAt });

export function apiRoutes(d: AdminDeps) {
  const pv = d.policyVersions;
  const app = new Hono<AdminEnv>();
  // Policy refusals carry what must be fixed (file:line issues, failing tests).
  app.use('/admin/api/policy/*', async (c, next) => {
    // The app's error handler already answered; add the fix-it details to its problem.
    await next();
    const err = c.error;
    if (!isPolicyVersionError(err)) return;
    const p = toProblem(err, c.get('requestId'));
    c.res = new Response(JSON.stringify({ ...p, reason: err.reason, issues: err.issues, failedTests: err.failedTests }), { status: p.status, headers: { 'Content-Type': 'application/problem+json' } });
  });
  app.get('/admin/api/policy/versions', async (c) => {
    await adminReader(d, c);
    return c.json((await pv.list(200)).map(summary));
  });
  app.get('/admin/api/policy/versions/:id', async (c) => {
    await adminReader(d, c);
    const v = await pv.get(c.req.param('id'));
    return c.json({ ...summary(v), files: v.files, approvals: v.approvals });
  });
  app.get('/admin/api/policy/versions/:id/diff', async (c) => {
    await adminReader(d, c);
    return c.json(await pv.diff(c.req.param('id'), c.req.query('against')));
  });
  app.get('/admin/api/policy/versions/:id/impact', async (c) => {
    await adminReader(d, c);
    const raw = c.req.query('days');
    const days = raw === undefined ? d.config.admin.impactWindowDays : /^[0-9]{1,3}$/.test(raw) ? Number(raw) : -1;
    return c.json(await pv.impact(c.req.param('id'), days));
  });
  app.post('/admin/api/policy/versions', async (c) => {
    const caller = await adminWriter(d, c, 'policy.propose');
    const body = await readBody(c);
    if (typeof body.files !== 'object' || body.files === null || Array.isArray(body.files)) throw new AdminError('bad-query', { message: 'expected {files: {name: text}, message}' });
    const r = await pv.propose(caller.actor, body.files as Record<string, unknown>, typeof body.message === 'string' ? body.message : '');
    return c.json({ version: summary(r.version), diff: r.diff, testsPassed: r.testsPassed }, 201);
  });
  app.post('/admin/api/policy/versions/:id/rollback', async (c) => {
    const caller = await adminWriter(d, c, 'policy.rollback');
    const body = await readBody(c);
    const r = await pv.proposeRollback(caller.actor, c.req.param('id'), typeof body.message === 'string' && body.message ? body.message : undefined);
    return c.json({ version: summary(r.version), diff: r.diff, testsPassed: r.testsPassed }, 201);
  });
  app.post('/admin/api/policy/versions/:id/approve', async (c) => {
    const caller = await adminWriter(d, c, 'policy.approve');
    await d.audit.append({ type: 'policy.approve', actor: actorUid(caller.user.id), outcome: 'failure', detail: { version: c.req.param('id'), reason: 'browser-only' } });
    throw new AdminError('browser-only');
  });
  app.get('/admin/api/audit', async (c) => {
    const caller = await adminReader(d, c);
    const q = parseAuditQuery(c.req.queries(), Date.now());
    const r = await searchAudit(d.store.auditSearch, q);
    await d.audit.append({ type: 'admin.audit.search', actor: actorUid(caller.user.id), outcome: 'success', detail: { since: q.since, until: q.until, results: r.rows.length } });
    return c.json({ events: r.rows.map((x) => ({ ...x, detail: JSON.parse(x.detail) as unknown })), next: r.next ?? null });
  });
  return app;
}
