// Facts sent at enrolment: host name, OS and a machine id. The raw /etc/machine-id is
// confidential (machine-id(5)); the broker gets an application-specific HMAC of it, as
// sd_id128_get_machine_app_specific() does, so it cannot be correlated across apps.
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { hostname, release } from 'node:os';
import { parseOsRelease } from './posture/parseOsRelease.js';

export interface DeviceFacts {
  hostname: string;
  os: string;
  /** 64 hex characters, or null when the platform's machine id cannot be read. */
  machineId: string | null;
}

const MACHINE_ID_FILES = ['/etc/machine-id', '/var/lib/dbus/machine-id'];
const APP_ID = 'radgate-device-v1';

export function collectDeviceFacts(readText: (file: string) => string | undefined = readTextOrUndefined): DeviceFacts {
  const rel = process.platform === 'linux' ? parseOsRelease(readText('/etc/os-release') ?? readText('/usr/lib/os-release') ?? '') : {};
  const osName = rel.PRETTY_NAME ?? [rel.NAME, rel.VERSION_ID].filter(Boolean).join(' ');
  return {
    hostname: hostname(),
    os: `${osName ? `${osName}; ` : ''}${process.platform} ${release()}`,
    machineId: appSpecificMachineId(readText),
  };
}

export function appSpecificMachineId(readText: (file: string) => string | undefined): string | null {
  for (const f of MACHINE_ID_FILES) {
    const id = readText(f)?.trim();
    if (id && /^[0-9a-f]{32}$/i.test(id)) return createHmac('sha256', Buffer.from(id.toLowerCase(), 'hex')).update(APP_ID).digest('hex');
  }
  return null;
}

function readTextOrUndefined(file: string): string | undefined {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}
