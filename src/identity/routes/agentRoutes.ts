// Agent sign-in over HTTP: RFC 8252 loopback authorization, RFC 8628 device codes, the
// token endpoint, and the agent's whoami/logout with its bearer token.
import { Hono, type Context } from 'hono';
import { RadgateError } from '../../errors/index.js';
import type { AppEnv } from '../../http/index.js';
import { isOAuthError, TOKEN_RESPONSE_HEADERS } from '../agentLogin/index.js';
import { AgentConsentPage, DeviceCodeEntryPage, MessagePage } from '../pages/pages.js';
import { csrfToken, currentSession, type SessionEnv } from '../sessions/index.js';
import { clientAddress } from './authRoutes.js';
import type { RouteDeps } from './routeDeps.js';
import { page, readBody, str } from './respond.js';

type Env = AppEnv & SessionEnv;

export function agentRoutes(d: RouteDeps) {
  const { identity } = d;
  const login = identity.agentLogin;

  /** Browser steps need an active (OIDC + key) session; otherwise sign in and come back. */
  const browserUser = (c: Context<Env>) => {
    const s = c.get('session');
    if (!s || c.get('sessionVia') !== 'cookie') return { redirect: c.redirect(`/auth/signin?return_to=${encodeURIComponent(c.req.path + new URL(c.req.url).search)}`) };
    if (s.state !== 'active') return { redirect: c.redirect(`/auth/key?return_to=${encodeURIComponent(c.req.path + new URL(c.req.url).search)}`) };
    return currentSession(c);
  };
  const who = (u: { displayName: string | null; id: string }) => u.displayName ?? u.id;

  return new Hono<Env>()
    .get('/agent/authorize', (c) => {
      const q = { redirectUri: c.req.query('redirect_uri') ?? '', codeChallenge: c.req.query('code_challenge') ?? '', codeChallengeMethod: c.req.query('code_challenge_method') ?? 'S256', state: c.req.query('state') ?? '' };
      // A bad redirect_uri is shown, never redirected to.
      const check = login.checkLoopbackRequest(q);
      if (!check.ok) return page(c, MessagePage({ title: 'Agent sign-in refused', message: check.message, error: true }), 400);
      const b = browserUser(c);
      if ('redirect' in b) return b.redirect;
      return page(
        c,
        AgentConsentPage({
          who: who(b.user),
          csrf: csrfToken(b.session),
          action: '/agent/authorize',
          heading: 'Sign in the radgate agent',
          hidden: { redirect_uri: q.redirectUri, code_challenge: q.codeChallenge, code_challenge_method: q.codeChallengeMethod, state: q.state },
        }),
      );
    })
    .post('/agent/authorize', async (c) => {
      const { session, user } = currentSession(c);
      const body = await readBody(c);
      const q = { redirectUri: str(body.redirect_uri) ?? '', codeChallenge: str(body.code_challenge) ?? '', codeChallengeMethod: str(body.code_challenge_method) ?? 'S256', state: str(body.state) ?? '' };
      const check = login.checkLoopbackRequest(q);
      if (!check.ok) throw new RadgateError('bad-request', check.message);
      if (str(body.decision) !== 'approve') {
        const deny = new URL(q.redirectUri);
        deny.searchParams.set('error', 'access_denied');
        deny.searchParams.set('state', q.state);
        return c.redirect(deny.toString(), 303);
      }
      const { redirectTo } = await login.createLoopbackCode({ ...q, parentSessionId: session.id, userId: user.id });
      return c.redirect(redirectTo, 303);
    })
    .post('/agent/token', async (c) => {
      try {
        const body = await readBody(c);
        const r = await login.issueAgentToken(body);
        return c.json(r, 200, TOKEN_RESPONSE_HEADERS);
      } catch (err) {
        if (isOAuthError(err)) return c.json(err.toJSON(), 400, TOKEN_RESPONSE_HEADERS);
        throw err;
      }
    })
    .post('/agent/device', async (c) => {
      const r = await login.startDeviceAuthorization({ address: clientAddress(c.env) ?? undefined, userAgent: c.req.header('user-agent') ?? undefined });
      return c.json(r, 200, TOKEN_RESPONSE_HEADERS);
    })
    .get('/agent/device', async (c) => {
      const b = browserUser(c);
      if ('redirect' in b) return b.redirect;
      const code = c.req.query('user_code');
      if (!code) return page(c, DeviceCodeEntryPage({ who: who(b.user), csrf: csrfToken(b.session) }));
      const pending = await login.lookupUserCode(code);
      if (!pending) return page(c, DeviceCodeEntryPage({ who: who(b.user), csrf: csrfToken(b.session), error: 'That code is unknown, used or expired. Check the code the agent shows.' }), 404);
      return page(
        c,
        AgentConsentPage({ who: who(b.user), csrf: csrfToken(b.session), action: '/agent/device/decision', heading: 'Sign in a device', code: pending.userCode, hidden: { user_code: pending.userCode } }),
      );
    })
    // The browser's decision; POST /agent/device itself is the agent's RFC 8628 request.
    .post('/agent/device/decision', async (c) => {
      const { session, user } = currentSession(c);
      const body = await readBody(c);
      const userCode = str(body.user_code) ?? '';
      if (str(body.decision) === 'approve') await login.approveDeviceCode({ userCode, parentSessionId: session.id, userId: user.id });
      else await login.denyDeviceCode(userCode, { parentSessionId: session.id, userId: user.id });
      return page(c, MessagePage({ title: 'Done', message: str(body.decision) === 'approve' ? 'The device is signed in. You can return to it.' : 'The device sign-in was denied.', who: who(user), csrf: csrfToken(session) }));
    })
    .post('/agent/logout', async (c) => {
      const s = c.get('session');
      if (!s || c.get('sessionVia') !== 'bearer') throw new RadgateError('unauthenticated', 'an agent bearer token is required');
      await identity.sessions.endSession({ sessionId: s.id, reason: 'agent-logout', actorUserId: s.userId });
      return c.body(null, 204);
    })
    .get('/agent/whoami', (c) => {
      const s = c.get('session');
      const u = c.get('user');
      if (!s || !u || c.get('sessionVia') !== 'bearer') throw new RadgateError('unauthenticated', 'an agent bearer token is required');
      return c.json({ user: { id: u.id, displayName: u.displayName, kind: u.kind, roles: u.roles }, session: { id: s.id, expiresAt: s.expiresAt, state: s.state } });
    });
}
