// The identity module's HTTP surface: session and CSRF middleware first, then sign-in,
// security keys, the user's own pages, agent sign-in, the dev IdP and static assets.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Hono, type MiddlewareHandler } from 'hono';
import type { AppEnv } from '../http/index.js';
import { devIdpRoutes } from './devIdp/index.js';
import { CSS } from './pages/Layout.js';
import { WEBAUTHN_CLIENT_JS } from './pages/webauthnClient.js';
import { adminIdentityRoutes } from './routes/adminIdentityRoutes.js';
import { agentRoutes } from './routes/agentRoutes.js';
import { authRoutes } from './routes/authRoutes.js';
import { keyRoutes } from './routes/keyRoutes.js';
import { meRoutes } from './routes/meRoutes.js';
import type { RouteDeps } from './routes/routeDeps.js';
import { csrfProtection, sessionMiddleware, type SessionEnv } from './sessions/index.js';

const require = createRequire(import.meta.url);
/** SimpleWebAuthn's browser bundle (UMD: window.SimpleWebAuthnBrowser), served from node_modules. */
const SIMPLEWEBAUTHN_JS = readFileSync(
  path.join(path.dirname(require.resolve('@simplewebauthn/browser')), '..', 'dist/bundle/index.umd.min.js'),
  'utf8',
);

/**
 * Session (cookie or agent bearer) and CSRF middleware. The server applies them in front
 * of every control-plane route, so every feature module sees `c.var.session/user/principal`.
 */
export function identityMiddleware(d: RouteDeps): MiddlewareHandler<AppEnv & SessionEnv>[] {
  return [
    sessionMiddleware({ sessions: d.identity.sessions, bearer: true }),
    csrfProtection({ expectedOrigins: d.identity.relyingParty.origins, audit: d.audit }),
  ];
}

/** Routes that need no session: static assets and the embedded dev IdP (its own forms and CSRF). */
export function identityPublicRoutes(d: RouteDeps) {
  const app = new Hono<AppEnv & SessionEnv>();
  const asset = (body: string, type: string) => (c: import('hono').Context) =>
    c.body(body, 200, { 'Content-Type': type, 'Cache-Control': 'public, max-age=3600', 'X-Content-Type-Options': 'nosniff' });
  app.get('/assets/radgate.css', asset(CSS, 'text/css; charset=utf-8'));
  app.get('/assets/simplewebauthn-browser.js', asset(SIMPLEWEBAUTHN_JS, 'text/javascript; charset=utf-8'));
  app.get('/assets/radgate-webauthn.js', asset(WEBAUTHN_CLIENT_JS, 'text/javascript; charset=utf-8'));
  if (d.identity.devIdp) app.route('/', devIdpRoutes(d.identity.devIdp) as unknown as Hono<AppEnv & SessionEnv>);
  return app;
}

/** Sign-in, security keys, the user's pages and agent sign-in: behind identityMiddleware. */
export function identityRoutes(d: RouteDeps) {
  const app = new Hono<AppEnv & SessionEnv>();
  app.route('/', authRoutes(d));
  app.route('/', keyRoutes(d));
  app.route('/', meRoutes(d));
  app.route('/', agentRoutes(d));
  app.route('/', adminIdentityRoutes(d));
  return app;
}
