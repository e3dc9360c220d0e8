// Posture report verification, told what to expect: the device's key and id, and now.
// Signature first (with the device key only), then shape, device binding and time.
// The nonce is consumed by the caller afterwards, so a forged report burns nothing.
import type { KeyObject } from 'node:crypto';
import { DeviceError } from './DeviceError.js';
import { posturePayloadSchema, type PosturePayload } from './postureSchema.js';
import { verifyJws } from './verifyJws.js';

export const POSTURE_TYP = 'radgate-posture+jwt';

export interface PostureExpectations {
  deviceId: string;
  deviceKey: KeyObject;
  /** Epoch ms. */
  now: number;
  /** How far collectedAt may lie from now (either way), seconds. */
  maxClockSkewSeconds: number;
}

export async function verifyPostureReport(jws: string, expect: PostureExpectations): Promise<PosturePayload> {
  const { payload } = await verifyJws(jws, expect.deviceKey, POSTURE_TYP);
  const parsed = posturePayloadSchema.safeParse(payload);
  if (!parsed.success) throw new DeviceError('request-malformed', { detail: parsed.error.issues[0]?.message });
  const report = parsed.data;
  if (report.deviceId !== expect.deviceId) throw new DeviceError('device-mismatch');
  // The nonce proves when it was signed; collectedAt must agree, or the signals are old.
  if (Math.abs(report.collectedAt - expect.now) > expect.maxClockSkewSeconds * 1000) throw new DeviceError('collected-out-of-range');
  return report;
}
