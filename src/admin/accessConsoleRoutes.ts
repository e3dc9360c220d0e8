// Console pages of the access module: access requests, grants and the break-glass review
// queue. Reads are the admin reader's (admin or auditor, `admin.read` through authorize())
// straight from the store; writes are the admin writer's, after a fresh security-key
// step-up, through the access module's own domain functions (decideRequest asks policy
// `access.approve`; each one audits its outcome).
import { Hono, type Context } from 'hono';
import { BREAKGLASS_REVIEW_KIND, decideRequest, effectiveRequestState, grantView, isAccessError, recordBreakGlassReview, requestView, revokeGrant, type AccessError, type Caller, type GrantView, type ReviewView } from '../access/index.js';
import { actorUid, adminReader, adminWriter, type AdminCaller } from './adminCaller.js';
import { AdminError } from './AdminError.js';
import type { AdminDeps, AdminEnv } from './adminDeps.js';
import { GrantsPage, RequestsPage, ReviewsPage } from './pages/accessPages.js';
import { frame, html, readBody } from './respond.js';
import { requireStepUp, stepUpUrl } from './stepUp.js';

type C = Context<AdminEnv>;

const REQUESTS = '/console/access/requests';
const GRANTS = '/console/access/grants';
const REVIEWS = '/console/access/reviews';
const RECENT = 100;

const NOTICES: Record<string, string> = {
  granted: 'Approved: the grant is active (see Grants).',
  approval: 'Approval recorded; this request needs more approvals.',
  denied: 'Request denied.',
  revoked: 'Grant revoked: its tunnels were cut and its certificates revoked.',
  reviewed: 'Review recorded; the grant left the queue.',
};

const asCaller = (a: AdminCaller): Caller => ({ user: a.user, session: a.session, principal: a.principal });

/** What an admin reads when the access module refuses (the module's reason made plain). */
export function refusalMessage(err: AccessError): string {
  if (err.reason === 'policy-denied' && err.policyReasons.includes('separation-of-duties'))
    return 'Separation of duties: you cannot approve this request — it is your own, or it comes from your own organisation. Another approver must decide it.';
  if (err.reason === 'self-review') return 'You invoked this break-glass yourself, so another administrator must review it (separation of duties).';
  return err.message;
}

/** A form text field: trimmed, with a length the module accepts, or a clear 400. */
function textField(body: Record<string, unknown>, name: string, label: string, min: number, max: number): string {
  const v = typeof body[name] === 'string' ? (body[name] as string).trim() : '';
  if (v.length < min || v.length > max) throw new AdminError('bad-query', { message: `${label}: ${min}-${max} characters` });
  return v;
}

/** The overview's counts: requests still decidable, active grants, unreviewed break-glass. */
export async function accessCounts(deps: AdminDeps['access']): Promise<{ pendingRequests: number; activeGrants: number; openReviews: number }> {
  const now = deps.clock();
  const pending = (await deps.store.access.listRequests({ state: 'pending', limit: 1000 })).filter((r) => effectiveRequestState(r, now, deps.access.pendingTtl) === 'pending');
  const active = await deps.store.access.listGrants({ state: 'active', limit: 1000 });
  const open = await deps.store.access.listOpenReviews(BREAKGLASS_REVIEW_KIND);
  return { pendingRequests: pending.length, activeGrants: active.length, openReviews: open.length };
}

export function accessConsoleRoutes(d: AdminDeps) {
  const app = new Hono<AdminEnv>();
  const deps = d.access;
  const repo = deps.store.access;

  const requestsPage = async (c: C, caller: AdminCaller, extra: { error?: string; status?: number } = {}) => {
    const now = deps.clock();
    const rows = await repo.listRequests({ limit: 500 });
    const views = await Promise.all(rows.map(async (r) => requestView(r, await repo.approvalsFor(r.id), now, deps.access.pendingTtl)));
    const pending = views.filter((v) => v.state === 'pending');
    const recent = views.filter((v) => v.state !== 'pending').slice(0, RECENT);
    return html(c, RequestsPage({ ...frame(caller, { notice: NOTICES[c.req.query('notice') ?? ''], error: extra.error }), pending, recent }), extra.status ?? 200);
  };

  const grantsPage = async (c: C, caller: AdminCaller, extra: { error?: string; status?: number } = {}) => {
    const now = deps.clock();
    const views = (await repo.listGrants({ limit: 500 })).map((g) => grantView(g, now));
    const active = views.filter((g) => g.state === 'active');
    const recent = views.filter((g) => g.state !== 'active').slice(0, RECENT);
    return html(c, GrantsPage({ ...frame(caller, { notice: NOTICES[c.req.query('notice') ?? ''], error: extra.error }), active, recent, now }), extra.status ?? 200);
  };

  const reviewsPage = async (c: C, caller: AdminCaller, extra: { error?: string; status?: number } = {}) => {
    const now = deps.clock();
    const open: ReviewView[] = [];
    for (const r of await repo.listOpenReviews(BREAKGLASS_REVIEW_KIND)) {
      const g = await repo.getGrant(r.subjectId);
      open.push({
        id: r.id,
        kind: r.kind,
        subjectId: r.subjectId,
        summary: r.summary,
        createdAt: new Date(r.createdAt).toISOString(),
        reviewedAt: null,
        reviewedBy: null,
        note: null,
        ...(g ? { grant: grantView(g, now) } : {}),
      });
    }
    const reviewed: GrantView[] = (await repo.listGrants({ breakGlass: true, limit: 200 })).filter((g) => g.reviewedAt !== null).slice(0, RECENT).map((g) => grantView(g, now));
    return html(c, ReviewsPage({ ...frame(caller, { notice: NOTICES[c.req.query('notice') ?? ''], error: extra.error }), open, reviewed, now }), extra.status ?? 200);
  };

  /**
   * Runs a write; an access refusal (audited by the module) re-renders the page with the
   * reason, or goes through step-up; bad form input is refused here and audited as `type`.
   */
  const write = async (c: C, caller: AdminCaller, o: { back: string; type: string; render: typeof requestsPage }, fn: () => Promise<string>): Promise<Response> => {
    try {
      return c.redirect(`${o.back}?notice=${await fn()}`, 303);
    } catch (err) {
      if (err instanceof AdminError && err.reason === 'bad-query') {
        await d.audit.append({ type: o.type, actor: actorUid(caller.user.id), outcome: 'failure', detail: { path: c.req.path, reason: 'bad-input' } });
        return o.render(c, caller, { error: err.message, status: 400 });
      }
      if (!isAccessError(err)) throw err;
      if (err.reason === 'step-up-required') return c.redirect(stepUpUrl(o.back), 303);
      return o.render(c, caller, { error: refusalMessage(err), status: err.status });
    }
  };

  app.get(REQUESTS, async (c) => requestsPage(c, await adminReader(d, c)));
  for (const decision of ['approve', 'deny'] as const) {
    app.post(`${REQUESTS}/:id/${decision}`, async (c) => {
      const caller = await adminWriter(d, c, `access.${decision}`);
      const redirect = await requireStepUp(d, c, caller, REQUESTS);
      if (redirect) return redirect;
      const body = await readBody(c);
      return write(c, caller, { back: REQUESTS, type: `access.${decision}`, render: requestsPage }, async () => {
        const comment = typeof body.comment === 'string' && body.comment.trim() !== '' ? { comment: textField(body, 'comment', 'comment', 1, 500) } : {};
        const out = await decideRequest(deps, asCaller(caller), c.req.param('id'), decision, comment);
        return decision === 'deny' ? 'denied' : out.grant ? 'granted' : 'approval';
      });
    });
  }

  app.get(GRANTS, async (c) => grantsPage(c, await adminReader(d, c)));
  app.post(`${GRANTS}/:id/revoke`, async (c) => {
    const caller = await adminWriter(d, c, 'grant.revoke');
    const redirect = await requireStepUp(d, c, caller, GRANTS);
    if (redirect) return redirect;
    const body = await readBody(c);
    return write(c, caller, { back: GRANTS, type: 'grant.revoke', render: grantsPage }, async () => {
      const reason = textField(body, 'reason', 'reason for revoking', 3, 500);
      await revokeGrant(deps, asCaller(caller), c.req.param('id'), reason);
      return 'revoked';
    });
  });

  app.get(REVIEWS, async (c) => reviewsPage(c, await adminReader(d, c)));
  app.post(`${REVIEWS}/:id`, async (c) => {
    const caller = await adminWriter(d, c, 'breakglass.review');
    const redirect = await requireStepUp(d, c, caller, REVIEWS);
    if (redirect) return redirect;
    const body = await readBody(c);
    return write(c, caller, { back: REVIEWS, type: 'breakglass.review', render: reviewsPage }, async () => {
      const note = textField(body, 'note', 'what was checked', 3, 2000);
      await recordBreakGlassReview(deps, asCaller(caller), c.req.param('id'), { note });
      return 'reviewed';
    });
  });

  return app;
}
