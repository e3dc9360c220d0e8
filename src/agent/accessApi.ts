// The agent's access verbs over the control-plane API with its session token: targets,
// requests, approvals, grants and break-glass. Approvals and break-glass need a fresh
// security-key verification; this agent cannot perform WebAuthn itself, so when the
// broker asks for a step-up it answers with the page where the browser does it.
import { AgentError } from './AgentError.js';
import { resolveAgentHome } from './agentHome.js';
import { expectStatus, openBrokerSession } from './brokerSession.js';
import type { HttpsResponse } from './httpsRequest.js';

export interface AccessCallOptions {
  home?: string;
  clock?: () => number;
}

async function call(o: AccessCallOptions, method: 'GET' | 'POST', path: string, what: string, json?: Record<string, unknown>, ok = [200, 201]): Promise<unknown> {
  const broker = openBrokerSession(o.home ?? resolveAgentHome(), o.clock);
  const res = await broker.call(method, path, json);
  expectStatus(res, ok, what);
  return res.body;
}

/** The URL of the page that performs the step-up and the action in a browser. */
export function stepUpPage(server: string, path: string): string {
  return new URL(path, server).toString();
}

function stepUpNeeded(res: HttpsResponse): boolean {
  return res.status === 403 && (res.body as { reason?: unknown } | undefined)?.reason === 'step-up-required';
}

/**
 * A step-up-protected call. On step-up-required the error says what to do: this agent
 * cannot run WebAuthn, so either the browser page that does the step-up and the action
 * (approvals, break-glass), or a step-up in the browser followed by a new `radgate login`
 * (the agent session inherits the browser's verification time) and a retry.
 */
async function protectedCall(o: AccessCallOptions, path: string, what: string, json: Record<string, unknown>, page?: string): Promise<unknown> {
  const broker = openBrokerSession(o.home ?? resolveAgentHome(), o.clock);
  const res = await broker.call('POST', path, json);
  if (stepUpNeeded(res)) {
    const viaPage = page ? ` Open ${stepUpPage(broker.server.origin, page)} in your browser: the page asks for your security key and then does it.` : '';
    throw new AgentError(
      'access-denied',
      `${what}: this needs a security-key verification from the last few minutes, which this command-line agent cannot perform (WebAuthn needs a browser).${viaPage} Or confirm your key at ${stepUpPage(broker.server.origin, '/auth/step-up')} in your browser, run radgate login again and retry within five minutes.`,
    );
  }
  expectStatus(res, [200, 201], what);
  return res.body;
}

export const listTargets = (o: AccessCallOptions = {}) => call(o, 'GET', '/access/targets', 'listing targets failed') as Promise<Record<string, unknown>[]>;
export const addTarget = (body: Record<string, unknown>, o: AccessCallOptions = {}) => call(o, 'POST', '/access/targets', 'adding the target failed', body);
export const removeTarget = (name: string, o: AccessCallOptions = {}) => call(o, 'POST', `/access/targets/${encodeURIComponent(name)}/remove`, 'removing the target failed', {});

export const createRequest = (body: { target: string; reason: string; duration?: string; ticket?: string; start?: string }, o: AccessCallOptions = {}) =>
  call(o, 'POST', '/access/requests', 'the access request was refused', body) as Promise<Record<string, unknown>>;
export const listRequests = (q: { state?: string; mine?: boolean }, o: AccessCallOptions = {}) => {
  const p = new URLSearchParams();
  if (q.state) p.set('state', q.state);
  if (q.mine) p.set('mine', '1');
  return call(o, 'GET', `/access/requests${p.size ? `?${p}` : ''}`, 'listing requests failed') as Promise<Record<string, unknown>[]>;
};
export const decideRequest = (id: string, decision: 'approve' | 'deny', comment: string | undefined, o: AccessCallOptions = {}) =>
  protectedCall(o, `/access/requests/${encodeURIComponent(id)}/${decision}`, `${decision === 'approve' ? 'approving' : 'denying'} ${id}`, comment ? { comment } : {}, `/access/approvals/${encodeURIComponent(id)}`) as Promise<Record<string, unknown>>;

export const listGrants = (q: { all?: boolean; state?: string }, o: AccessCallOptions = {}) => {
  const p = new URLSearchParams();
  if (q.all) p.set('all', '1');
  if (q.state) p.set('state', q.state);
  return call(o, 'GET', `/access/grants${p.size ? `?${p}` : ''}`, 'listing grants failed') as Promise<Record<string, unknown>[]>;
};
export const revokeGrant = (id: string, reason: string | undefined, o: AccessCallOptions = {}) =>
  protectedCall(o, `/access/grants/${encodeURIComponent(id)}/revoke`, `revoking ${id}`, reason ? { reason } : {}) as Promise<Record<string, unknown>>;

export const breakGlass = (body: { target: string; reason: string; duration?: string }, o: AccessCallOptions = {}) =>
  protectedCall(o, '/access/breakglass', 'break-glass', body, '/access/breakglass') as Promise<{ grant: Record<string, unknown>; reviewId: string }>;

/** Where the broker's tunnel gateway listens. */
export async function tunnelGatewayInfo(o: AccessCallOptions = {}): Promise<{ host: string; port: number }> {
  const b = (await call(o, 'GET', '/access/tunnel-gateway', 'the broker did not say where its tunnel gateway is')) as { host?: unknown; port?: unknown };
  if (typeof b?.host !== 'string' || typeof b.port !== 'number') throw new AgentError('protocol', 'the broker described its tunnel gateway in an unexpected form');
  return { host: b.host, port: b.port };
}

/** Unreviewed break-glass grants (administrators). */
export const listReviews = (o: AccessCallOptions = {}) => call(o, 'GET', '/access/reviews', 'listing break-glass reviews failed') as Promise<Record<string, unknown>[]>;
export const recordReview = (id: string, note: string, o: AccessCallOptions = {}) =>
  protectedCall(o, `/access/reviews/${encodeURIComponent(id)}`, `recording the review of ${id}`, { note }) as Promise<Record<string, unknown>>;
