// Security-key ceremonies: the key page, WebAuthn options/verify JSON endpoints for
// registration, sign-in and step-up.
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../../http/index.js';
import { safeReturnTo } from '../oidc/index.js';
import { KeyPage, type KeyCeremony } from '../pages/pages.js';
import { csrfToken, currentSession, type SessionEnv } from '../sessions/index.js';
import { isAuthFresh } from '../stepUp/index.js';
import type { RouteDeps } from './routeDeps.js';
import { page, readBody, str } from './respond.js';

type Env = AppEnv & SessionEnv;

export function keyRoutes(d: RouteDeps) {
  const { identity, config } = d;
  const who = (u: { displayName: string | null; id: string }) => u.displayName ?? u.id;

  const keyPage = async (c: Context<Env>, forced?: KeyCeremony) => {
    const { session, user } = currentSession(c, { state: 'any' });
    const keys = await identity.webauthn.listKeys(user.id);
    const usable = keys.filter((k) => !k.locked).length;
    const requested = c.req.query('mode');
    let mode: KeyCeremony;
    if (forced) mode = forced;
    else if (session.state !== 'active') mode = usable === 0 ? 'register' : 'authenticate';
    else mode = requested === 'register' ? 'register' : requested === 'step-up' ? 'step-up' : 'authenticate';
    // A first key needs a fresh OIDC sign-in, or an administrator's code (config, or all keys locked).
    const needCode = mode === 'register' && usable === 0 && (config.identity.webauthn.enrolment === 'admin-code' || keys.length > 0);
    // Adding a key to an active session is a sensitive change: confirm with an existing key first.
    if (mode === 'register' && session.state === 'active' && usable > 0 && !isAuthFresh(session, config.identity.stepUpMaxAge, Date.now())) {
      return c.redirect(`/auth/step-up?return_to=${encodeURIComponent('/auth/key?mode=register')}`);
    }
    return page(c, KeyPage({ mode, who: who(user), csrf: csrfToken(session), returnTo: safeReturnTo(c.req.query('return_to') ?? '/me'), needCode }));
  };

  return new Hono<Env>()
    .get('/auth/key', (c) => keyPage(c))
    .get('/auth/step-up', (c) => keyPage(c, 'step-up'))
    .post('/auth/webauthn/register/options', async (c) => {
      const { session, user } = currentSession(c, { state: 'any' });
      return c.json(await identity.webauthn.registrationOptions({ session, user }));
    })
    .post('/auth/webauthn/register/verify', async (c) => {
      const { session, user } = currentSession(c, { state: 'any' });
      const body = await readBody(c);
      const name = str(body.name);
      const enrolmentCode = str(body.enrolmentCode);
      const r = await identity.webauthn.verifyRegistration({
        session,
        user,
        response: body.response,
        ...(name ? { name } : {}),
        ...(enrolmentCode ? { enrolmentCode } : {}),
      });
      return c.json({ ok: true, key: { id: r.key.id, name: r.key.name } });
    })
    .post('/auth/webauthn/authenticate/options', async (c) => {
      const { session, user } = currentSession(c, { state: 'any' });
      return c.json(await identity.webauthn.authenticationOptions({ session, user }));
    })
    .post('/auth/webauthn/authenticate/verify', async (c) => {
      const { session, user } = currentSession(c, { state: 'any' });
      const body = await readBody(c);
      await identity.webauthn.verifyAuthentication({ session, user, response: body.response, purpose: 'sign-in' });
      return c.json({ ok: true });
    })
    .post('/auth/webauthn/step-up/options', async (c) => {
      const { session, user } = currentSession(c, { state: 'active' });
      return c.json(await identity.webauthn.authenticationOptions({ session, user }));
    })
    .post('/auth/webauthn/step-up/verify', async (c) => {
      const { session, user } = currentSession(c, { state: 'active' });
      const body = await readBody(c);
      await identity.webauthn.verifyAuthentication({ session, user, response: body.response, purpose: 'step-up' });
      return c.json({ ok: true });
    });
}
