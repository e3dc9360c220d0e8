// Loads a device for its owner; someone else's device looks exactly like a missing one.
import type { DeviceRow, DevicesRepo } from '../store/index.js';
import { DeviceError } from './DeviceError.js';

export async function ownedDevice(devices: Pick<DevicesRepo, 'get'>, id: string, userId: string): Promise<DeviceRow> {
  const row = typeof id === 'string' && id.length <= 256 ? await devices.get(id) : undefined;
  if (!row || row.userId !== userId) throw new DeviceError('device-not-found');
  return row;
}

/** Only active devices get certificates; pending and revoked ones are refused by name. */
export function assertActive(row: DeviceRow): void {
  if (row.state === 'pending') throw new DeviceError('device-pending');
  if (row.state === 'revoked') throw new DeviceError('device-revoked');
}
