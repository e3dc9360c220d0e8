// The back-channel logout endpoint (Back-Channel Logout 1.0, 2.5 and 2.8): the IdP POSTs a
// form with logout_token; 200 when the logout was carried out, 400 when the token was
// refused, never cached. Mount under the broker's back-channel logout path; the IdP name is
// the last segment (register `<publicUrl><path>/<idp>` as backchannel_logout_uri).
import { Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { isRadgateError } from '../../errors/index.js';
import type { OidcRp } from './createOidcRp.js';

const NO_STORE = { 'Cache-Control': 'no-store' };

export function backchannelLogoutRoutes(rp: Pick<OidcRp, 'handleBackchannelLogout'>) {
  return new Hono().post(
    '/:idp',
    bodyLimit({ maxSize: 32 * 1024, onError: (c) => c.json({ error: 'invalid_request' }, 413, NO_STORE) }),
    async (c) => {
      if (!(c.req.header('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
        return c.json({ error: 'invalid_request', error_description: 'expected a form' }, 400, NO_STORE);
      }
      const form = await c.req.parseBody();
      const token = typeof form.logout_token === 'string' ? form.logout_token : '';
      try {
        await rp.handleBackchannelLogout(c.req.param('idp'), token);
        return c.body(null, 200, NO_STORE);
      } catch (err) {
        // 2.8: a refused logout is a 400; an outage on our side is not the IdP's fault.
        const status = isRadgateError(err) && err.status < 500 ? 400 : 503;
        const description = isRadgateError(err) && err.expose ? err.message : 'logout not processed';
        return c.json({ error: status === 400 ? 'invalid_request' : 'temporarily_unavailable', error_description: description }, status, NO_STORE);
      }
    },
  );
}
