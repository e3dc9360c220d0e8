// The access module over HTTP (JSON API for the agent and scripts). Each route lists its
// pipeline: who may call, read the body (bounded), then one domain function. Errors are
// AccessErrors (problem+json with a stable `reason`).
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../http/index.js';
import type { SessionInfo, User } from '../identity/index.js';
import type { EntityDescription } from '../policy/index.js';
import { AccessError } from './AccessError.js';
import type { AccessDeps, Caller } from './accessDeps.js';
import { invokeBreakGlass, listOpenBreakGlassReviews, recordBreakGlassReview } from './breakGlass.js';
import { decideRequest } from './decideRequest.js';
import { listGrants, revokeGrant } from './grants.js';
import { audited, userActor } from './audited.js';
import { readJsonBody } from './readJsonBody.js';
import { createRequest, getRequest, listRequests } from './requests.js';
import { addTarget, listTargets, removeTarget } from './targets.js';

/** What identity's session middleware sets before these routes (identity/sessions/sessionEnv.ts). */
export type AccessEnv = AppEnv & {
  Variables: {
    session: SessionInfo | undefined;
    user: User | undefined;
    principal: EntityDescription | undefined;
    sessionVia: 'cookie' | 'bearer' | undefined;
  };
};

export type AccessContext = Context<AccessEnv>;

/** Any signed-in session (cookie or bearer); domain functions check key verification and roles. */
export function caller(c: AccessContext): Caller {
  const { session, user, principal } = c.var;
  if (!session || !user || !principal) throw new AccessError('session-required');
  return { user, session, principal };
}

export interface TunnelGatewayInfo {
  host: string;
  port: number;
}

export function accessApiRoutes(deps: AccessDeps, tunnelGateway: () => TunnelGatewayInfo | undefined) {
  // A body that cannot be read is refused with the operation's own audit event.
  const bodyOf = (type: string) => (c: AccessContext) => audited(deps.audit, { type, actor: c.var.user ? userActor(c.var.user.id) : 'anonymous' }, () => readJsonBody(c.req.raw));
  const bodies = {
    target: bodyOf('access.target.add'),
    request: bodyOf('access.request'),
    approve: bodyOf('access.approve'),
    deny: bodyOf('access.deny'),
    revoke: bodyOf('grant.revoke'),
    breakglass: bodyOf('breakglass.invoke'),
    review: bodyOf('breakglass.review'),
  };
  return new Hono<AccessEnv>()
    .get('/access/targets', async (c) => c.json(await listTargets(deps, caller(c))))
    .post('/access/targets', async (c) => {
      const who = caller(c);
      return c.json(await addTarget(deps, who, await bodies.target(c)), 201);
    })
    .post('/access/targets/:name/remove', async (c) => c.json(await removeTarget(deps, caller(c), c.req.param('name'))))
    .post('/access/requests', async (c) => {
      const who = caller(c);
      return c.json(await createRequest(deps, who, await bodies.request(c)), 201);
    })
    .get('/access/requests', async (c) => c.json(await listRequests(deps, caller(c), { state: c.req.query('state'), mine: c.req.query('mine') === '1' })))
    .get('/access/requests/:id', async (c) => c.json(await getRequest(deps, caller(c), c.req.param('id'))))
    .post('/access/requests/:id/approve', async (c) => {
      const who = caller(c);
      return c.json(await decideRequest(deps, who, c.req.param('id'), 'approve', await bodies.approve(c)));
    })
    .post('/access/requests/:id/deny', async (c) => {
      const who = caller(c);
      return c.json(await decideRequest(deps, who, c.req.param('id'), 'deny', await bodies.deny(c)));
    })
    .get('/access/grants', async (c) => c.json(await listGrants(deps, caller(c), { all: c.req.query('all') === '1', state: c.req.query('state'), target: c.req.query('target') })))
    .post('/access/grants/:id/revoke', async (c) => {
      const who = caller(c);
      const b = (await bodies.revoke(c)) as { reason?: unknown } | null;
      return c.json(await revokeGrant(deps, who, c.req.param('id'), b?.reason));
    })
    .post('/access/breakglass', async (c) => {
      const who = caller(c);
      return c.json(await invokeBreakGlass(deps, who, await bodies.breakglass(c)), 201);
    })
    .get('/access/reviews', async (c) => c.json(await listOpenBreakGlassReviews(deps, caller(c))))
    .post('/access/reviews/:id', async (c) => {
      const who = caller(c);
      return c.json(await recordBreakGlassReview(deps, who, c.req.param('id'), await bodies.review(c)));
    })
    .get('/access/tunnel-gateway', (c) => {
      caller(c);
      const info = tunnelGateway();
      if (!info) throw new AccessError('target-not-found', { message: 'the tunnel gateway is not enabled on this broker' });
      return c.json(info);
    });
}
