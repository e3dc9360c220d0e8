// Composes the devices module from the broker's parts; the server mounts routes().
import type { Config } from '../config/index.js';
import { devicesConfigSchema, type DevicesConfig } from '../config/index.js';
import type { DecisionContext } from '../policy/index.js';
import { deviceContext, postureState } from './deviceEntity.js';
import type { DevicesDeps, GrantLookup } from './devicesDeps.js';
import { devicesRoutes } from './routes.js';

export interface CreateDevicesOptions extends Omit<DevicesDeps, 'devices' | 'stepUpMaxAgeSeconds' | 'clock' | 'grants'> {
  config: Config;
  /** Defaults to config.devices once the lead hooks the schema in, else the schema defaults. */
  devicesConfig?: DevicesConfig;
  grants?: GrantLookup;
  clock?: () => number;
}

export function createDevices(o: CreateDevicesOptions) {
  const fromConfig = (o.config as unknown as { devices?: unknown }).devices;
  const deps: DevicesDeps = {
    devices: o.devicesConfig ?? devicesConfigSchema.parse(fromConfig ?? {}),
    stepUpMaxAgeSeconds: o.config.identity.stepUpMaxAge,
    store: o.store,
    audit: o.audit,
    bus: o.bus,
    policy: o.policy,
    ca: o.ca,
    grants: o.grants,
    clock: o.clock ?? Date.now,
  };
  return {
    deps,
    routes: () => devicesRoutes(deps),
    /**
     * `context.device` for a gate (gateways, access): undefined unless the device exists,
     * belongs to the user and is active; a device without posture is stale and untrusted.
     */
    async deviceContext(deviceId: string, userId: string): Promise<NonNullable<DecisionContext['device']> | undefined> {
      const row = await deps.store.devices.get(deviceId);
      if (!row || row.userId !== userId || row.state !== 'active') return undefined;
      return deviceContext(row.id, postureState(row, deps.clock(), deps.devices.posture.maxAge));
    },
  };
}

export type Devices = ReturnType<typeof createDevices>;
