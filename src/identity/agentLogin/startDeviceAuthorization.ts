// RFC 8628 3.1-3.2: a headless agent asks for a device code (its secret, 256 bits) and a
// short user code the user types or compares in any browser where they are signed in.
import { appendAudit } from './appendAudit.js';
import { formatUserCode, hashHandle, randomHandle, randomUserCode } from './handles.js';
import type { DeviceCodePayload, UserCodePayload } from './payloads.js';
import {
  DEVICE_CODE_TTL_MS,
  DEVICE_POLL_INTERVAL_S,
  PURPOSE,
  type AgentLoginDeps,
  type DeviceAuthorizationResponse,
  type DeviceRequestOrigin,
} from './types.js';

/** A clash among live user codes is rare (2^34.6 codes); a few retries settle it. */
const USER_CODE_ATTEMPTS = 5;

export async function startDeviceAuthorization(deps: AgentLoginDeps, origin: DeviceRequestOrigin = {}): Promise<DeviceAuthorizationResponse> {
  const now = deps.clock().getTime();
  const expiresAt = now + DEVICE_CODE_TTL_MS;
  const deviceCode = randomHandle();
  const deviceCodeHash = hashHandle(deviceCode);
  const userCode = await reserveUserCode(deps, deviceCodeHash, now, expiresAt);
  const payload: DeviceCodePayload = {
    state: 'pending',
    interval: DEVICE_POLL_INTERVAL_S,
    lastPollAt: null,
    userCodeHash: hashHandle(userCode),
    ...(origin.address || origin.userAgent ? { requestedFrom: pickOrigin(origin) } : {}),
  };
  await deps.challenges.put({
    idHash: deviceCodeHash,
    purpose: PURPOSE.deviceCode,
    sessionId: null,
    userId: null,
    payload: JSON.stringify(payload),
    createdAt: now,
    expiresAt,
  });
  await appendAudit(deps, 'identity.agent.device', null, 'success', { action: 'start', ...(origin.address ? { address: origin.address } : {}) });
  const shown = formatUserCode(userCode);
  const verificationUri = new URL('/agent/device', deps.publicUrl);
  const complete = new URL(verificationUri);
  complete.searchParams.set('user_code', shown);
  return {
    device_code: deviceCode,
    user_code: shown,
    verification_uri: verificationUri.href,
    verification_uri_complete: complete.href,
    expires_in: DEVICE_CODE_TTL_MS / 1000,
    interval: DEVICE_POLL_INTERVAL_S,
  };
}

async function reserveUserCode(deps: AgentLoginDeps, deviceCodeHash: string, now: number, expiresAt: number): Promise<string> {
  for (let i = 0; i < USER_CODE_ATTEMPTS; i++) {
    const code = randomUserCode();
    const idHash = hashHandle(code);
    // peek at time 0 sees expired rows too: those are deleted, live ones are skipped.
    const existing = await deps.challenges.peek(idHash, PURPOSE.userCode, 0);
    if (existing && existing.expiresAt > now) continue;
    if (existing) await deps.challenges.take(idHash, PURPOSE.userCode, now);
    const payload: UserCodePayload = { deviceCodeHash };
    await deps.challenges.put({ idHash, purpose: PURPOSE.userCode, sessionId: null, userId: null, payload: JSON.stringify(payload), createdAt: now, expiresAt });
    return code;
  }
  throw new Error('could not find a free user code');
}

/** Shown on the approval page: bounded, so a client cannot stuff the store. */
function pickOrigin(o: DeviceRequestOrigin): DeviceRequestOrigin {
  return {
    ...(o.address ? { address: o.address.slice(0, 64) } : {}),
    ...(o.userAgent ? { userAgent: o.userAgent.slice(0, 256) } : {}),
  };
}
