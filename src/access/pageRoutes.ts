// The approval and break-glass pages (browser sessions). A page that changes something
// first makes sure the security-key verification is fresh: otherwise it sends the
// browser through the identity step-up page and back.
import { Hono } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { htmlPage } from '../http/index.js';
import { csrfToken, isAuthFresh } from '../identity/index.js';
import { isAccessError } from './AccessError.js';
import type { AccessDeps, Caller } from './accessDeps.js';
import { invokeBreakGlass } from './breakGlass.js';
import { decideRequest } from './decideRequest.js';
import { ApprovalsPage, BreakGlassPage, RequestPage } from './pages.js';
import { getRequest, listRequests } from './requests.js';
import { caller, type AccessContext, type AccessEnv } from './routes.js';
import { listTargets } from './targets.js';

const page = (c: AccessContext, body: JSX.Element, status = 200): Response => htmlPage(c, body, status);

const stepUpUrl = (returnTo: string) => `/auth/step-up?return_to=${encodeURIComponent(returnTo)}`;

const message = (err: unknown): string => (isAccessError(err) ? err.message : 'something went wrong; try again');

export function accessPageRoutes(deps: AccessDeps) {
  const name = (c: Caller) => c.user.displayName ?? c.user.id;
  const fresh = (c: Caller) => isAuthFresh(c.session, deps.stepUpMaxAgeSeconds, deps.clock());
  return new Hono<AccessEnv>()
    .get('/access/approvals', async (c) => {
      const who = caller(c);
      const requests = await listRequests(deps, who, { state: 'pending' });
      return page(c, ApprovalsPage({ who: name(who), csrf: csrfToken(who.session), requests, done: c.req.query('done') }));
    })
    .get('/access/approvals/:id', async (c) => {
      const who = caller(c);
      const id = c.req.param('id');
      const r = await getRequest(deps, who, id);
      // Deciding needs a fresh key verification: get it before showing the buttons.
      if (r.state === 'pending' && !fresh(who)) return c.redirect(stepUpUrl(`/access/approvals/${id}`));
      return page(c, RequestPage({ who: name(who), csrf: csrfToken(who.session), r, canDecide: r.requesterId !== who.user.id }));
    })
    .post('/access/approvals/:id/:decision{approve|deny}', async (c) => {
      const who = caller(c);
      const id = c.req.param('id');
      const decision = c.req.param('decision') as 'approve' | 'deny';
      if (!fresh(who)) return c.redirect(stepUpUrl(`/access/approvals/${id}`), 303);
      try {
        const out = await decideRequest(deps, who, id, decision, {});
        const done = out.grant ? `approved: grant ${out.grant.id} until ${out.grant.endAt}` : `${decision === 'approve' ? 'approval' : 'denial'} recorded`;
        return c.redirect(`/access/approvals?done=${encodeURIComponent(done)}`, 303);
      } catch (err) {
        if (!isAccessError(err)) throw err;
        const r = await getRequest(deps, who, id);
        return page(c, RequestPage({ who: name(who), csrf: csrfToken(who.session), r, canDecide: r.requesterId !== who.user.id, error: message(err) }), err.status);
      }
    })
    .get('/access/breakglass', async (c) => {
      const who = caller(c);
      if (!fresh(who)) return c.redirect(stepUpUrl('/access/breakglass'));
      return page(c, BreakGlassPage({ who: name(who), csrf: csrfToken(who.session), targets: await listTargets(deps, who), done: c.req.query('done') }));
    })
    .post('/access/breakglass/form', async (c) => {
      const who = caller(c);
      if (!fresh(who)) return c.redirect(stepUpUrl('/access/breakglass'), 303);
      const form = await c.req.parseBody();
      try {
        const out = await invokeBreakGlass(deps, who, { target: String(form.target ?? ''), reason: String(form.reason ?? '') });
        return c.redirect(`/access/breakglass?done=${encodeURIComponent(`break-glass grant ${out.grant.id} on ${out.grant.target} until ${out.grant.endAt}; the security team has been notified`)}`, 303);
      } catch (err) {
        if (!isAccessError(err)) throw err;
        return page(c, BreakGlassPage({ who: name(who), csrf: csrfToken(who.session), targets: await listTargets(deps, who), error: message(err) }), err.status);
      }
    });
}
