// The device approval page: what a typed user code refers to, if it is live and pending.
import { formatUserCode, hashHandle, normalizeUserCode } from './handles.js';
import { isDeviceCodePayload, isUserCodePayload, parsePayload, type DeviceCodePayload, type UserCodePayload } from './payloads.js';
import { PURPOSE, type AgentLoginDeps, type DeviceRequestOrigin } from './types.js';

export interface PendingDeviceRequest {
  /** Canonical display form, XXXX-XXXX. */
  userCode: string;
  /** Epoch ms. */
  createdAt: number;
  expiresAt: number;
  requestedFrom?: DeviceRequestOrigin;
}

export interface ResolvedUserCode {
  userCode: string;
  userCodeHash: string;
  deviceCodeHash: string;
  device: DeviceCodePayload;
  createdAt: number;
  expiresAt: number;
}

/** Undefined when the code is malformed, unknown, expired or already decided. */
export async function lookupUserCode(deps: AgentLoginDeps, userCode: string): Promise<PendingDeviceRequest | undefined> {
  const r = await resolveUserCode(deps, userCode);
  if (!r) return undefined;
  return {
    userCode: formatUserCode(r.userCode),
    createdAt: r.createdAt,
    expiresAt: r.expiresAt,
    ...(r.device.requestedFrom ? { requestedFrom: r.device.requestedFrom } : {}),
  };
}

export async function resolveUserCode(deps: AgentLoginDeps, input: string): Promise<ResolvedUserCode | undefined> {
  const code = normalizeUserCode(input);
  if (!code) return undefined;
  const now = deps.clock().getTime();
  const userCodeHash = hashHandle(code);
  const userRow = await deps.challenges.peek(userCodeHash, PURPOSE.userCode, now);
  const link = userRow && parsePayload<UserCodePayload>(userRow.payload, isUserCodePayload);
  if (!userRow || !link) return undefined;
  const deviceRow = await deps.challenges.peek(link.deviceCodeHash, PURPOSE.deviceCode, now);
  const device = deviceRow && parsePayload<DeviceCodePayload>(deviceRow.payload, isDeviceCodePayload);
  if (!deviceRow || !device || device.state !== 'pending' || device.userCodeHash !== userCodeHash) return undefined;
  return { userCode: code, userCodeHash, deviceCodeHash: link.deviceCodeHash, device, createdAt: deviceRow.createdAt, expiresAt: deviceRow.expiresAt };
}
