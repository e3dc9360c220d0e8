// The admin console (server-rendered, works without JavaScript). Each route: who may call
// (adminReader / adminWriter: role + authorize), read and validate input, one domain call,
// render or redirect. Writes need a fresh security-key confirmation (step-up).
import { Hono, type Context } from 'hono';
import { verifyAuditChain } from '../audit/index.js';
import { approveDevice, revokeDevice } from '../devices/index.js';
import { isRadgateError } from '../errors/index.js';
import { explain, isPolicyVersionError, parseEntityUid, toDecisionRequest, type EntitySpec } from '../policy/index.js';
import { actorUid, adminReader, adminWriter, type AdminCaller } from './adminCaller.js';
import { AdminError } from './AdminError.js';
import type { AdminDeps, AdminEnv } from './adminDeps.js';
import { parseAuditQuery } from './auditQuery.js';
import { exportJsonl, searchAudit } from './searchAudit.js';
import { ADMIN_CSS } from './pages/Layout.js';
import { AuditPage, DevicesPage, ExplainPage, OverviewPage, SessionsPage, UsersPage, type ExplainForm } from './pages/otherPages.js';
import { ImpactPage, ProposePage, VersionPage, VersionsPage } from './pages/policyPages.js';
import { filesFromForm } from './filesFromForm.js';
import { frame, html, readBody } from './respond.js';
import { requireStepUp } from './stepUp.js';
import { accessCounts } from './accessConsoleRoutes.js';

type C = Context<AdminEnv>;

export function consoleRoutes(d: AdminDeps) {
  const app = new Hono<AdminEnv>();
  const pv = d.policyVersions;

  // Browsers without an active session are sent to sign in (or to their key) and brought back.
  app.use('/console/*', async (c, next) => {
    const s = c.var.session;
    if (c.req.method === 'GET' && !s) return c.redirect(`/auth/signin?return_to=${encodeURIComponent(c.req.path)}`);
    if (c.req.method === 'GET' && s && s.state !== 'active') return c.redirect(`/auth/key?return_to=${encodeURIComponent(c.req.path)}`);
    await next();
  });
  app.use('/console', async (c, next) => (c.var.session ? next() : c.redirect('/auth/signin?return_to=%2Fconsole')));

  /** A write that needs a fresh security key: back through the step-up page to `returnTo`. */
  const stepUp = (c: C, caller: AdminCaller, returnTo: string): Promise<Response | undefined> => requireStepUp(d, c, caller, returnTo);

  app.get('/console/assets/admin.css', (c) => c.body(ADMIN_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8', 'Cache-Control': 'max-age=300' }));

  app.get('/console', async (c) => {
    const caller = await adminReader(d, c);
    const versions = await pv.list(200);
    const pending = await d.store.devices.list({ state: 'pending' });
    const access = await accessCounts(d.access);
    return html(
      c,
      OverviewPage({ ...frame(caller), active: versions.find((v) => v.state === 'active')?.id ?? null, proposals: versions.filter((v) => v.state === 'proposed').length, liveSessions: d.liveSessions.size, pendingDevices: pending.length, ...access }),
    );
  });

  // ---- policy versions -------------------------------------------------------------
  app.get('/console/policy', async (c) => {
    const caller = await adminReader(d, c);
    return html(c, VersionsPage({ ...frame(caller), versions: await pv.list(200) }));
  });

  app.get('/console/policy/propose', async (c) => {
    const caller = await adminWriter(d, c, 'policy.propose');
    const active = await pv.active();
    return html(c, ProposePage({ ...frame(caller), files: Object.keys(active?.files ?? {}) }));
  });

  app.post('/console/policy/propose', async (c) => {
    const caller = await adminWriter(d, c, 'policy.propose');
    const active = await pv.active();
    const body = await readBody(c);
    const message = typeof body.message === 'string' ? body.message : '';
    const name = typeof body.name === 'string' ? body.name.trim() : '';
    const text = typeof body.text === 'string' ? body.text : '';
    const again = { files: Object.keys(active?.files ?? {}), message, name, text };
    try {
      const files = { ...(active?.files ?? {}), ...(await filesFromForm(body)) };
      const r = await pv.propose(caller.actor, files, message);
      return c.redirect(`/console/policy/versions/${r.version.id}?notice=proposed`, 303);
    } catch (err) {
      if (!isPolicyVersionError(err) && !(err instanceof AdminError)) throw err;
      const e = err as { message: string; issues?: never[]; failedTests?: never[]; status: number };
      return html(c, ProposePage({ ...frame(caller, { error: e.message }), ...again, issues: e.issues ?? [], failedTests: e.failedTests ?? [] }), e.status);
    }
  });

  const NOTICES: Record<string, string> = {
    proposed: 'Proposed. Another administrator must approve it before it becomes active.',
    activated: 'Approved and activated. Live sessions are being re-checked under the new policy.',
    rollback: 'Rollback proposed. Another administrator must approve it.',
    emergency: 'Emergency rollback done. It was sent to the review queue and the webhook.',
  };

  const versionPage = async (c: C, caller: AdminCaller, id: string, extra: { error?: string; status?: number } = {}) => {
    const v = await pv.get(id);
    const diff = await pv.diff(v.id);
    const notice = NOTICES[c.req.query('notice') ?? ''];
    return html(c, VersionPage({ ...frame(caller, { notice, error: extra.error }), v, diff: diff.diff, against: diff.from, emergency: d.config.admin.emergencyRollback }), extra.status ?? 200);
  };

  app.get('/console/policy/versions/:id', async (c) => versionPage(c, await adminReader(d, c), c.req.param('id')));

  app.post('/console/policy/versions/:id/approve', async (c) => {
    const caller = await adminWriter(d, c, 'policy.approve');
    const id = c.req.param('id');
    try {
      const r = await pv.approve(caller.actor, id);
      return c.redirect(`/console/policy/versions/${r.version.id}?notice=activated`, 303);
    } catch (err) {
      if (!isPolicyVersionError(err)) throw err;
      // Approvals need a fresh security key: through the step-up page and back to this version.
      if (err.reason === 'step-up-required') return c.redirect(`/auth/step-up?return_to=${encodeURIComponent(`/console/policy/versions/${id}`)}`, 303);
      return versionPage(c, caller, id, { error: err.message, status: err.status });
    }
  });

  app.post('/console/policy/versions/:id/rollback', async (c) => {
    const caller = await adminWriter(d, c, 'policy.rollback');
    try {
      const r = await pv.proposeRollback(caller.actor, c.req.param('id'));
      return c.redirect(`/console/policy/versions/${r.version.id}?notice=rollback`, 303);
    } catch (err) {
      if (!isPolicyVersionError(err)) throw err;
      return versionPage(c, caller, c.req.param('id'), { error: err.message, status: err.status });
    }
  });

  app.post('/console/policy/versions/:id/emergency-rollback', async (c) => {
    const caller = await adminWriter(d, c, 'policy.emergency-rollback');
    const id = c.req.param('id');
    const redirect = await stepUp(c, caller, `/console/policy/versions/${id}`);
    if (redirect) return redirect;
    const body = await readBody(c);
    try {
      const r = await pv.emergencyRollback(caller.actor, id, typeof body.reason === 'string' ? body.reason : '');
      return c.redirect(`/console/policy/versions/${r.version.id}?notice=emergency`, 303);
    } catch (err) {
      if (!isPolicyVersionError(err)) throw err;
      return versionPage(c, caller, id, { error: err.message, status: err.status });
    }
  });

  app.get('/console/policy/versions/:id/impact', async (c) => {
    const caller = await adminReader(d, c);
    const raw = c.req.query('days');
    const days = raw === undefined ? d.config.admin.impactWindowDays : /^[0-9]{1,3}$/.test(raw) ? Number(raw) : -1;
    const v = await pv.get(c.req.param('id'));
    const r = await pv.impact(v.id, days);
    return html(c, ImpactPage({ ...frame(caller), v, r, days }));
  });

  // ---- explain ---------------------------------------------------------------------
  app.get('/console/explain', async (c) => {
    const caller = await adminReader(d, c);
    const form: ExplainForm = {
      principal: c.req.query('principal') ?? '',
      action: c.req.query('action') ?? 'dicomweb.query',
      resource: c.req.query('resource') ?? '',
      context: c.req.query('context') ?? '{}',
      entities: c.req.query('entities') ?? '[]',
    };
    if (!form.principal || !form.resource) return html(c, ExplainPage({ ...frame(caller), form }));
    const ns = d.policy.active?.namespace ?? 'Radgate';
    let error: string | undefined;
    try {
      const context: unknown = JSON.parse(form.context || '{}');
      const entities: unknown = JSON.parse(form.entities || '[]');
      if (typeof context !== 'object' || context === null || Array.isArray(context)) throw new Error('context: expected a JSON object');
      if (!Array.isArray(entities)) throw new Error('entities: expected a JSON array');
      const find = (text: string, what: string): EntitySpec => {
        const uid = parseEntityUid(text, ns);
        if (!uid) throw new Error(`${what}: expected an entity uid like User::"alice"`);
        return (entities as EntitySpec[]).find((e) => {
          const u = parseEntityUid(e?.uid, ns);
          return u?.type === uid.type && u.id === uid.id;
        }) ?? { uid };
      };
      const principal = find(form.principal, 'principal');
      const resource = find(form.resource, 'resource');
      const others = (entities as EntitySpec[]).filter((e) => e !== principal && e !== resource);
      const req = toDecisionRequest({ principal, action: form.action, resource, context: context as Record<string, unknown>, entities: others }, ns);
      // Runs the live engine's authorize(): the explanation is itself an audited decision.
      const result = await explain(d.policy, req);
      return html(c, ExplainPage({ ...frame(caller), form, result }));
    } catch (err) {
      error = isRadgateError(err) ? err.message : (err as Error).message;
    }
    return html(c, ExplainPage({ ...frame(caller, { error }), form }), 400);
  });

  // ---- devices, users, live sessions (the devices and identity modules do the work) ----
  app.get('/console/devices', async (c) => {
    const caller = await adminReader(d, c);
    return html(c, DevicesPage({ ...frame(caller, { notice: c.req.query('notice') === 'done' ? 'Done.' : undefined }), devices: await d.store.devices.list({}) }));
  });
  for (const [verb, fn] of [
    ['approve', approveDevice],
    ['revoke', revokeDevice],
  ] as const) {
    app.post(`/console/devices/:id/${verb}-form`, async (c) => {
      const caller = await adminWriter(d, c, `device.${verb}`);
      const redirect = await stepUp(c, caller, '/console/devices');
      if (redirect) return redirect;
      await fn(d.devices.deps, caller, c.req.param('id'));
      return c.redirect('/console/devices?notice=done', 303);
    });
  }

  app.get('/console/users', async (c) => {
    const caller = await adminReader(d, c);
    return html(c, UsersPage({ ...frame(caller, { notice: c.req.query('notice') === 'disabled' ? 'User disabled; their sessions ended and certificates were revoked.' : undefined }), users: await d.store.users.list(500) }));
  });
  app.post('/console/users/:id/disable-form', async (c) => {
    const caller = await adminWriter(d, c, 'user.disable');
    const redirect = await stepUp(c, caller, '/console/users');
    if (redirect) return redirect;
    const id = c.req.param('id');
    if (id === caller.user.id) throw new AdminError('read-only', { message: 'administrators cannot disable themselves' });
    await d.identity.sessions.disableUser(id, caller.user.id);
    return c.redirect('/console/users?notice=disabled', 303);
  });
  app.post('/console/users/:id/reset-key', async (c) => {
    const caller = await adminWriter(d, c, 'user.reset-key');
    const redirect = await stepUp(c, caller, '/console/users');
    if (redirect) return redirect;
    const target = await d.identity.sessions.getUser(c.req.param('id'));
    if (!target) throw new AdminError('not-found', { message: 'no such user' });
    const r = await d.identity.webauthn.issueEnrolmentCode({ userId: target.id, createdBy: caller.user.id });
    return html(c, UsersPage({ ...frame(caller), users: await d.store.users.list(500), code: { userId: target.id, code: r.code, expiresAt: r.expiresAt } }));
  });

  app.get('/console/sessions', async (c) => {
    const caller = await adminReader(d, c);
    return html(c, SessionsPage({ ...frame(caller, { notice: c.req.query('notice') === 'terminated' ? 'Session terminated.' : undefined }), sessions: d.liveSessions.list(), now: Date.now() }));
  });
  app.post('/console/sessions/:id/terminate', async (c) => {
    const caller = await adminWriter(d, c, 'session.terminate');
    const redirect = await stepUp(c, caller, '/console/sessions');
    if (redirect) return redirect;
    const id = c.req.param('id');
    const n = await d.liveSessions.cut((s) => s.id === id, `terminated-by-admin:${caller.user.id}`);
    await d.audit.append({ type: 'admin.session.terminate', actor: actorUid(caller.user.id), outcome: n > 0 ? 'success' : 'failure', detail: { liveSession: id, cut: n } });
    return c.redirect('/console/sessions?notice=terminated', 303);
  });

  // ---- audit -----------------------------------------------------------------------
  const queryParams = (c: C) => {
    const params = c.req.queries();
    delete params.verify;
    return params;
  };
  app.get('/console/audit', async (c) => {
    const caller = await adminReader(d, c);
    const params = queryParams(c);
    const raw = Object.fromEntries(Object.entries(params).map(([k, v]) => [k, v[0] ?? '']));
    delete raw.before;
    const chain = c.req.query('verify') === '1' ? await verifyAuditChain({ audit: d.store.audit }, d.auditPublicKey) : undefined;
    if (Object.keys(params).length === 0) return html(c, AuditPage({ ...frame(caller), q: undefined, raw, rows: [], next: undefined, chain }));
    try {
      const q = parseAuditQuery(params, Date.now());
      const { rows, next } = await searchAudit(d.store.auditSearch, q);
      await d.audit.append({ type: 'admin.audit.search', actor: actorUid(caller.user.id), outcome: 'success', detail: { query: raw, results: rows.length } });
      return html(c, AuditPage({ ...frame(caller), q, raw, rows, next, chain }));
    } catch (err) {
      if (!(err instanceof AdminError)) throw err;
      return html(c, AuditPage({ ...frame(caller, { error: err.message }), q: undefined, raw, rows: [], next: undefined, chain }), 400);
    }
  });
  app.get('/console/audit/export', async (c) => {
    const caller = await adminReader(d, c);
    const q = parseAuditQuery(queryParams(c), Date.now());
    await d.audit.append({ type: 'admin.audit.export', actor: actorUid(caller.user.id), outcome: 'success', detail: { since: q.since, until: q.until } });
    c.header('Content-Type', 'application/x-ndjson; charset=utf-8');
    c.header('Content-Disposition', 'attachment; filename="radgate-audit.jsonl"');
    c.header('Cache-Control', 'no-store');
    return c.body(exportJsonl(d.store.auditSearch, q));
  });

  return app;
}
