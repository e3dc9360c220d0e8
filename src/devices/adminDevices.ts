// Administrators approve pending devices and revoke any device; both need a recent
// security-key verification (step-up). A revoke takes the device's certificates with it.
import { isAuthFresh, type SessionInfo, type User } from '../identity/index.js';
import type { DeviceRow } from '../store/index.js';
import { audited, userActor } from './audited.js';
import { DeviceError } from './DeviceError.js';
import type { DevicesDeps } from './devicesDeps.js';

export interface AdminCaller {
  user: User;
  session: SessionInfo;
}

export const ADMIN_ROLE = 'admin';

export function assertAdmin(c: AdminCaller): void {
  if (c.session.state !== 'active') throw new DeviceError('webauthn-required');
  if (!c.user.roles.includes(ADMIN_ROLE)) throw new DeviceError('admin-required');
}

/** Step-up: the session's last security-key verification is at most maxAge old. */
export function assertFreshStepUp(session: SessionInfo, maxAgeSeconds: number, now: number): void {
  if (!isAuthFresh(session, maxAgeSeconds, now)) throw new DeviceError('step-up-required');
}

export interface DeviceView {
  id: string;
  userId: string;
  name: string;
  state: DeviceRow['state'];
  tier: string | null;
  postureAt: number | null;
  createdAt: number;
  facts: Record<string, unknown>;
}

export function adminView(r: DeviceRow): DeviceView {
  let facts: Record<string, unknown> = {};
  try {
    facts = JSON.parse(r.facts) as Record<string, unknown>;
  } catch {
    // stored by us as JSON; an unreadable row shows no facts rather than failing the list
  }
  return { id: r.id, userId: r.userId, name: r.name, state: r.state, tier: r.tier, postureAt: r.postureAt, createdAt: r.createdAt, facts };
}

export async function listDevicesForAdmin(deps: DevicesDeps, c: AdminCaller, state: string | undefined): Promise<DeviceView[]> {
  assertAdmin(c);
  if (state !== undefined && state !== 'pending' && state !== 'active' && state !== 'revoked') throw new DeviceError('request-malformed');
  return (await deps.store.devices.list(state ? { state } : {})).map(adminView);
}

export async function approveDevice(deps: DevicesDeps, c: AdminCaller, deviceId: string): Promise<DeviceView> {
  const actor = userActor(c.user.id);
  return audited(deps.audit, { type: 'device.approve', actor, detail: { deviceId } }, async () => {
    assertAdmin(c);
    const now = deps.clock();
    assertFreshStepUp(c.session, deps.stepUpMaxAgeSeconds, now);
    const row = await deps.store.devices.get(deviceId);
    if (!row) throw new DeviceError('device-not-found');
    if (!(await deps.store.devices.setState(deviceId, ['pending'], 'active', now))) throw new DeviceError('device-not-pending');
    await deps.audit.append({ type: 'device.approve', actor, outcome: 'success', detail: { deviceId, owner: row.userId } });
    return adminView({ ...row, state: 'active', updatedAt: now });
  });
}

export async function revokeDevice(deps: DevicesDeps, c: AdminCaller, deviceId: string): Promise<DeviceView & { revokedCertificates: string[] }> {
  const actor = userActor(c.user.id);
  return audited(deps.audit, { type: 'device.revoke', actor, detail: { deviceId } }, async () => {
    assertAdmin(c);
    const now = deps.clock();
    assertFreshStepUp(c.session, deps.stepUpMaxAgeSeconds, now);
    const row = await deps.store.devices.get(deviceId);
    if (!row) throw new DeviceError('device-not-found');
    if (!(await deps.store.devices.setState(deviceId, ['pending', 'active'], 'revoked', now))) throw new DeviceError('device-revoked');
    // Revoked here, before answering; the device.revoked handler then finds nothing left to revoke.
    const serials = await deps.ca.revokeWhere({ deviceId }, 'cessationOfOperation', actor);
    deps.bus.emit({ type: 'device.revoked', deviceId });
    await deps.audit.append({ type: 'device.revoke', actor, outcome: 'success', detail: { deviceId, owner: row.userId, serials } });
    return { ...adminView({ ...row, state: 'revoked', updatedAt: now }), revokedCertificates: serials };
  });
}
