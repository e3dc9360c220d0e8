// device.json (0600): which device this agent enrolled as, at which broker, and what the
// broker last said about its posture. The device key itself lives in the key store.
import path from 'node:path';
import { AgentError } from './AgentError.js';
import { ensureAgentHome } from './agentHome.js';
import { readPrivateFile, writePrivateFile } from './privateFile.js';

export const DEVICE_FILE = 'device.json';

export interface DevicePostureState {
  tier: string;
  reasons: string[];
  /** Epoch ms or ISO, as the broker sent it. */
  postureAt: string | number;
  staleAfter: string | number | null;
}

export interface DeviceRecord {
  deviceId: string;
  /** Broker origin. */
  server: string;
  state: string;
  name?: string;
  enrolledAt: string;
  posture?: DevicePostureState;
}

export const deviceFilePath = (home: string): string => path.join(home, DEVICE_FILE);

export function readDevice(home: string): DeviceRecord | undefined {
  const file = deviceFilePath(home);
  const text = readPrivateFile(file, 0o077);
  if (text === undefined) return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new AgentError('bad-file', `${file} is not valid JSON`);
  }
  const d = v as Record<string, unknown> | null;
  if (!d || typeof d.deviceId !== 'string' || typeof d.server !== 'string' || typeof d.state !== 'string' || typeof d.enrolledAt !== 'string') {
    throw new AgentError('bad-file', `${file} does not hold a radgate device record`);
  }
  return d as unknown as DeviceRecord;
}

export function writeDevice(home: string, record: DeviceRecord): void {
  ensureAgentHome(home);
  writePrivateFile(deviceFilePath(home), `${JSON.stringify(record, null, 2)}\n`);
}

/** The device enrolled at the session's broker, or a not-enrolled error. */
export function requireDevice(home: string, server: string): DeviceRecord {
  const d = readDevice(home);
  if (!d) throw new AgentError('not-enrolled', 'this device is not enrolled; run radgate enroll');
  if (d.server !== server) throw new AgentError('not-enrolled', `this device is enrolled at ${d.server}, not ${server}; run radgate enroll after logging in there`);
  return d;
}
