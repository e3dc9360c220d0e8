// The devices module over HTTP. Each route lists its pipeline: who may call, read the
// body (bounded), then one domain function. Errors are DeviceErrors (problem+json).
import { Hono, type Context } from 'hono';
import type { AppEnv } from '../http/index.js';
import { authFacts, type SessionInfo, type User } from '../identity/index.js';
import type { EntityDescription } from '../policy/index.js';
import { approveDevice, listDevicesForAdmin, revokeDevice, type AdminCaller } from './adminDevices.js';
import { DeviceError } from './DeviceError.js';
import type { DevicesDeps } from './devicesDeps.js';
import { enrollDevice, type Caller } from './enrollDevice.js';
import { issueDeviceCertificate } from './issueDeviceCertificate.js';
import { ownedDevice } from './ownedDevice.js';
import { issuePostureNonce } from './postureNonce.js';
import { readJsonBody } from './readJsonBody.js';
import { createServicePrincipal, revokeServicePrincipal } from './servicePrincipals.js';
import { submitPosture } from './submitPosture.js';
import { audited, userActor } from './audited.js';

/** What identity's session middleware sets before these routes (identity/sessions/sessionEnv.ts). */
export type DevicesEnv = AppEnv & {
  Variables: {
    session: SessionInfo | undefined;
    user: User | undefined;
    principal: EntityDescription | undefined;
    sessionVia: 'cookie' | 'bearer' | undefined;
  };
};

type C = Context<DevicesEnv>;

/** Any signed-in session with its key verified (cookie or bearer): reads only. */
function signedIn(c: C): { user: User; session: SessionInfo; principal: EntityDescription } {
  const { session, user, principal } = c.var;
  if (!session || !user || !principal) throw new DeviceError('session-required');
  if (session.state !== 'active') throw new DeviceError('webauthn-required');
  return { user, session, principal };
}

/** The agent: a bearer agent session, active (OIDC + security key). */
function agent(c: C, now: number): Caller & { session: SessionInfo } {
  const s = signedIn(c);
  if (c.var.sessionVia !== 'bearer' || s.session.kind !== 'agent') throw new DeviceError('agent-session-required');
  return { ...s, auth: authFacts(s.session, now) };
}

const admin = (c: C): AdminCaller => signedIn(c);

export function devicesRoutes(deps: DevicesDeps) {
  const app = new Hono<DevicesEnv>();

  app.post('/devices/enroll', async (c) => {
    const caller = agent(c, deps.clock());
    const body = await audited(deps.audit, { type: 'device.enroll', actor: userActor(caller.user.id) }, () => readJsonBody(c.req.raw));
    return c.json(await enrollDevice(deps, caller, body), 201);
  });

  app.get('/devices', async (c) => {
    const { user } = signedIn(c);
    const rows = await deps.store.devices.list({ userId: user.id });
    return c.json(rows.map((r) => ({ id: r.id, name: r.name, state: r.state, tier: r.tier, postureAt: r.postureAt, createdAt: r.createdAt })));
  });

  app.post('/devices/:id/posture/nonce', async (c) => {
    const { user } = agent(c, deps.clock());
    const device = await ownedDevice(deps.store.devices, c.req.param('id'), user.id);
    if (device.state === 'revoked') throw new DeviceError('device-revoked');
    return c.json(await issuePostureNonce(deps.store.challenges, { deviceId: device.id, userId: user.id, now: deps.clock(), ttlSeconds: deps.devices.posture.nonceTtl }));
  });

  app.post('/devices/:id/posture', async (c) => {
    const { user } = agent(c, deps.clock());
    const deviceId = c.req.param('id');
    const body = await audited(deps.audit, { type: 'device.posture', actor: userActor(user.id), detail: { deviceId } }, () => readJsonBody(c.req.raw));
    return c.json(await submitPosture(deps, user.id, deviceId, body));
  });

  app.post('/certificates', async (c) => {
    const caller = agent(c, deps.clock());
    const body = await audited(deps.audit, { type: 'certificate.issue', actor: userActor(caller.user.id) }, () => readJsonBody(c.req.raw));
    return c.json(await issueDeviceCertificate(deps, caller, body), 201);
  });

  app.get('/admin/devices', async (c) => c.json(await listDevicesForAdmin(deps, admin(c), c.req.query('state'))));
  app.post('/admin/devices/:id/approve', async (c) => c.json(await approveDevice(deps, admin(c), c.req.param('id'))));
  app.post('/admin/devices/:id/revoke', async (c) => c.json(await revokeDevice(deps, admin(c), c.req.param('id'))));

  app.post('/admin/service-principals', async (c) => {
    const caller = admin(c);
    const body = await audited(deps.audit, { type: 'service-principal.create', actor: userActor(caller.user.id) }, () => readJsonBody(c.req.raw));
    return c.json(await createServicePrincipal(deps, caller, body), 201);
  });
  app.post('/admin/service-principals/:id/revoke', async (c) => c.json(await revokeServicePrincipal(deps, admin(c), c.req.param('id'))));

  return app;
}
