// `radgate posture`: fetch a single-use nonce, collect the signals, sign the report with
// the device key and post it; the broker answers with the device's tier.
import { AgentError } from './AgentError.js';
import { AGENT_VERSION } from './agentVersion.js';
import { resolveAgentHome } from './agentHome.js';
import { expectStatus, openBrokerSession } from './brokerSession.js';
import { signCompactJws } from './compactJws.js';
import { requireDevice, writeDevice, type DevicePostureState } from './deviceFile.js';
import type { DeviceKeyStore } from './DeviceKeyStore.js';
import { fileDeviceKeyStore } from './fileDeviceKeyStore.js';
import { collectPosture, type CollectedPosture } from './posture/index.js';

export const POSTURE_JWS_TYPE = 'radgate-posture+jwt';

export interface ReportPostureOptions {
  home?: string;
  keyStore?: DeviceKeyStore;
  /** Injected by tests; defaults to this machine. */
  collect?: () => Promise<CollectedPosture>;
  clock?: () => number;
}

export interface PostureResult extends DevicePostureState {
  deviceId: string;
  report: CollectedPosture;
}

export async function reportPosture(o: ReportPostureOptions = {}): Promise<PostureResult> {
  const home = o.home ?? resolveAgentHome();
  const clock = o.clock ?? Date.now;
  const broker = openBrokerSession(home, clock);
  const device = requireDevice(home, broker.server.origin);
  const key = await (o.keyStore ?? fileDeviceKeyStore(home)).load();
  if (!key) throw new AgentError('not-enrolled', 'the device key is missing; this device must be enrolled again (radgate enroll)');
  const id = encodeURIComponent(device.deviceId);

  const n = await broker.call('POST', `/devices/${id}/posture/nonce`, {});
  expectStatus(n, [200, 201], 'the broker refused a posture nonce');
  const nb = (n.body ?? {}) as Record<string, unknown>;
  if (typeof nb.nonce !== 'string' || nb.nonce.length < 16) throw new AgentError('protocol', 'the broker answered the nonce request with an unexpected body');
  const expiresAt = typeof nb.expiresAt === 'number' ? nb.expiresAt : typeof nb.expiresAt === 'string' ? Date.parse(nb.expiresAt) : NaN;

  // Collect after the nonce exists, so the report is provably no older than the nonce.
  const report = await (o.collect ?? (() => collectPosture()))();
  if (Number.isFinite(expiresAt) && clock() >= expiresAt) throw new AgentError('expired', 'collecting posture took longer than the nonce lives; try again');
  const payload = { deviceId: device.deviceId, nonce: nb.nonce, collectedAt: report.collectedAt, agentVersion: AGENT_VERSION, signals: report.signals };
  const jws = await signCompactJws({ alg: 'ES256', typ: POSTURE_JWS_TYPE }, payload, (d) => key.sign(d));

  const res = await broker.call('POST', `/devices/${id}/posture`, { jws });
  expectStatus(res, [200, 201], 'the broker refused the posture report');
  const b = (res.body ?? {}) as Record<string, unknown>;
  const isTime = (v: unknown) => typeof v === 'string' || typeof v === 'number';
  if (typeof b.tier !== 'string' || !isTime(b.postureAt)) throw new AgentError('protocol', 'the broker answered the posture report with an unexpected body');
  const state: DevicePostureState = {
    tier: b.tier,
    reasons: Array.isArray(b.reasons) ? b.reasons.filter((r): r is string => typeof r === 'string') : [],
    postureAt: b.postureAt as string | number,
    staleAfter: isTime(b.staleAfter) ? (b.staleAfter as string | number) : null,
  };
  writeDevice(home, { ...device, posture: state });
  return { deviceId: device.deviceId, ...state, report };
}
