// Sign-in with an IdP, the OIDC callback, sign-out and back-channel logout.
import { Hono } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AppEnv } from '../../http/index.js';
import { backchannelLogoutRoutes, safeReturnTo } from '../oidc/index.js';
import { SignInPage } from '../pages/pages.js';
import { clearSessionCookie, sessionCookie, type SessionEnv } from '../sessions/index.js';
import type { RouteDeps } from './routeDeps.js';
import { page, seeOther } from './respond.js';

/** Binds the OIDC state to this browser (login CSRF defence); lives only for the redirect. */
const OIDC_STATE_COOKIE = '__Host-radgate-oidc';

export function authRoutes(d: RouteDeps) {
  const { identity, config } = d;
  return new Hono<AppEnv & SessionEnv>()
    .route('/auth/backchannel-logout', backchannelLogoutRoutes(identity.rp) as unknown as Hono<AppEnv & SessionEnv>)
    .get('/', (c) => {
      const session = c.get('session');
      if (!session) return c.redirect('/auth/signin');
      if (session.state !== 'active') return c.redirect('/auth/key');
      return c.redirect('/me');
    })
    .get('/auth/signin', (c) => page(c, SignInPage({ idps: identity.idps, returnTo: safeReturnTo(c.req.query('return_to') ?? '/me') })))
    .get('/auth/login', async (c) => {
      const idp = c.req.query('idp') ?? '';
      const r = await identity.rp.beginLogin({ idp, returnTo: c.req.query('return_to') ?? '/me', agentRequest: null });
      setCookie(c, OIDC_STATE_COOKIE, r.state, { path: '/', secure: true, httpOnly: true, sameSite: 'Lax', maxAge: Math.max(1, Math.floor((r.expiresAt - Date.now()) / 1000)) });
      return c.redirect(r.url, 302);
    })
    .get('/auth/callback', async (c) => {
      const browserState = getCookie(c, OIDC_STATE_COOKIE) ?? '';
      deleteCookie(c, OIDC_STATE_COOKIE, { path: '/', secure: true });
      // The redirect URI registered at the IdP is the public one, whatever Host the request used.
      const callbackUrl = `${config.publicUrl}/auth/callback${new URL(c.req.url).search}`;
      const result = await identity.rp.completeLogin(callbackUrl, { browserState });
      const previous = c.get('session');
      if (previous) await identity.sessions.endSession({ sessionId: previous.id, reason: 'replaced-by-sign-in' });
      const { token, session } = await identity.sessions.createSession({
        user: result.user,
        kind: 'browser',
        idp: result.idp,
        amr: result.amr,
        idpSid: result.sid,
        oidcAt: result.authTime,
        state: 'pending-key',
        userAgent: c.req.header('user-agent') ?? null,
        sourceIp: clientAddress(c.env),
      });
      c.header('Set-Cookie', sessionCookie(token, Math.floor((session.expiresAt - Date.now()) / 1000)), { append: true });
      return c.redirect(`/auth/key?return_to=${encodeURIComponent(result.returnTo)}`, 302);
    })
    .post('/auth/logout', async (c) => {
      const session = c.get('session');
      if (session) await identity.sessions.endSession({ sessionId: session.id, reason: 'user-logout', actorUserId: session.userId });
      c.header('Set-Cookie', clearSessionCookie(), { append: true });
      return seeOther(c, '/auth/signin');
    });
}

export function clientAddress(env: unknown): string | null {
  const incoming = (env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined)?.incoming;
  return incoming?.socket?.remoteAddress ?? null;
}
