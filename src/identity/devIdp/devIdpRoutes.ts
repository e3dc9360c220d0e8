// Mounts the dev IdP inside the control plane's Hono app: oidc-provider gets the raw Node
// request and response, and Hono is told the response was sent. The routes sit on the
// issuer's own path, so mount this app at '/': app.route('/', devIdpRoutes(devIdp)).
import type { HttpBindings } from '@hono/node-server';
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response';
import { Hono, type Context } from 'hono';
import type { DevIdp } from './createDevIdp.js';

export function devIdpRoutes(devIdp: DevIdp) {
  const handler = async (c: Context<{ Bindings: HttpBindings }>) => {
    const { incoming, outgoing } = c.env;
    const done = new Promise<void>((resolve) => {
      outgoing.once('finish', resolve);
      outgoing.once('close', resolve);
    });
    devIdp.callback(incoming, outgoing);
    await done;
    return RESPONSE_ALREADY_SENT;
  };
  const base = devIdp.mountPath;
  const app = new Hono<{ Bindings: HttpBindings }>();
  if (base) app.all(base, handler);
  return app.all(`${base}/*`, handler);
}
