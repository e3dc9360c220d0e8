// `radgate enroll`: create (or reuse) the device key and send a signed enrolment request
// with the device facts; the key is bound to the device by the broker from now on.
import { AgentError } from './AgentError.js';
import { resolveAgentHome } from './agentHome.js';
import { expectStatus, openBrokerSession } from './brokerSession.js';
import { signCompactJws } from './compactJws.js';
import { collectDeviceFacts, type DeviceFacts } from './deviceFacts.js';
import { readDevice, writeDevice, type DeviceRecord } from './deviceFile.js';
import type { DeviceKeyStore } from './DeviceKeyStore.js';
import { fileDeviceKeyStore } from './fileDeviceKeyStore.js';

export const ENROLL_JWS_TYPE = 'radgate-enroll+jwt';

export interface EnrollOptions {
  home?: string;
  name?: string;
  keyStore?: DeviceKeyStore;
  facts?: DeviceFacts;
  clock?: () => number;
}

export async function enroll(o: EnrollOptions = {}): Promise<DeviceRecord> {
  const home = o.home ?? resolveAgentHome();
  const clock = o.clock ?? Date.now;
  const broker = openBrokerSession(home, clock);
  const existing = readDevice(home);
  if (existing && existing.server === broker.server.origin) {
    throw new AgentError('already-enrolled', `this device is already enrolled at ${existing.server} as ${existing.deviceId} (${existing.state})`);
  }
  const keys = o.keyStore ?? fileDeviceKeyStore(home);
  // A key left by an enrolment that failed half-way is reused, never replaced.
  const key = (await keys.load()) ?? (await keys.create());
  const payload = {
    facts: o.facts ?? collectDeviceFacts(),
    ...(o.name ? { name: o.name } : {}),
    iat: Math.floor(clock() / 1000),
  };
  const jws = await signCompactJws({ alg: 'ES256', typ: ENROLL_JWS_TYPE, jwk: key.publicJwk }, payload, (d) => key.sign(d));
  const res = await broker.call('POST', '/devices/enroll', { jws });
  expectStatus(res, [200, 201], 'the broker refused the enrolment');
  const b = (res.body ?? {}) as Record<string, unknown>;
  if (typeof b.deviceId !== 'string' || (b.state !== 'active' && b.state !== 'pending')) {
    throw new AgentError('protocol', 'the broker answered the enrolment with an unexpected body');
  }
  const record: DeviceRecord = {
    deviceId: b.deviceId,
    server: broker.server.origin,
    state: b.state,
    ...(o.name ? { name: o.name } : {}),
    enrolledAt: new Date(clock()).toISOString(),
  };
  writeDevice(home, record);
  return record;
}
