// Signed posture: verify (device key, device id, time), consume the nonce, compute the
// tier, store report and tier together, announce the change.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { audited, userActor } from './audited.js';
import { computeTier, type Tier } from './computeTier.js';
import { DeviceError } from './DeviceError.js';
import type { DevicesDeps } from './devicesDeps.js';
import { ownedDevice } from './ownedDevice.js';
import { takePostureNonce } from './postureNonce.js';
import { jwsBodySchema } from './postureSchema.js';
import { verifyPostureReport } from './verifyPostureReport.js';

export interface PostureResult {
  tier: Tier;
  reasons: string[];
  postureAt: number;
  staleAfter: number;
}

/** Device keys, parsed once per stored PEM (the PEM is part of the key: a re-enrolment misses). */
const keys = new Map<string, KeyObject>();
export function deviceKey(id: string, pem: string): KeyObject {
  const k = `${id}\0${pem}`;
  let key = keys.get(k);
  if (!key) {
    if (keys.size > 10_000) keys.clear();
    key = createPublicKey(pem);
    keys.set(k, key);
  }
  return key;
}

export async function submitPosture(deps: DevicesDeps, userId: string, deviceId: string, body: unknown): Promise<PostureResult> {
  const actor = userActor(userId);
  return audited(deps.audit, { type: 'device.posture', actor, detail: { deviceId } }, async () => {
    const device = await ownedDevice(deps.store.devices, deviceId, userId);
    if (device.state === 'revoked') throw new DeviceError('device-revoked');
    const parsed = jwsBodySchema.safeParse(body);
    if (!parsed.success) throw new DeviceError('request-malformed');
    const now = deps.clock();
    const report = await verifyPostureReport(parsed.data.jws, {
      deviceId: device.id,
      deviceKey: deviceKey(device.id, device.publicKey),
      now,
      maxClockSkewSeconds: deps.devices.posture.maxClockSkew,
    });
    // Single use: only a report that verified spends the nonce.
    if (!(await takePostureNonce(deps.store.challenges, { nonce: report.nonce, deviceId: device.id, now }))) throw new DeviceError('nonce-invalid');
    const { tier, reasons } = computeTier(report.signals, deps.devices.posture.rules);
    await deps.store.devices.recordPosture({
      deviceId: device.id,
      collectedAt: report.collectedAt,
      receivedAt: now,
      signals: JSON.stringify(report.signals),
      tier,
      reasons: JSON.stringify(reasons),
    });
    deps.bus.emit({ type: 'device.posture', deviceId: device.id, tier });
    await deps.audit.append({ type: 'device.posture', actor, outcome: 'success', detail: { deviceId: device.id, tier, reasons, agentVersion: report.agentVersion } });
    return { tier, reasons, postureAt: now, staleAfter: now + deps.devices.posture.maxAge * 1000 };
  });
}
