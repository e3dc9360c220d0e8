// What the devices module is built from; everything with I/O comes in here.
import type { AuditLog } from '../audit/index.js';
import type { Ca } from '../ca/index.js';
import type { DevicesConfig } from '../config/index.js';
import type { EventBus } from '../events/index.js';
import type { PolicyEngine } from '../policy/index.js';
import type { Store } from '../store/index.js';

/** The access module's answer about a grant (absent until that module exists). */
export interface GrantLookup {
  /** The grant when it is active for this user at `now`; undefined otherwise. */
  activeGrant(grantId: string, userId: string, now: number): Promise<{ id: string; endsAt: number } | undefined>;
}

export interface DevicesDeps {
  devices: DevicesConfig;
  /** config.identity.stepUpMaxAge, seconds: admin approve/revoke need a key verification this recent. */
  stepUpMaxAgeSeconds: number;
  store: Pick<Store, 'devices' | 'challenges' | 'users'>;
  audit: Pick<AuditLog, 'append'>;
  bus: Pick<EventBus, 'emit'>;
  policy: Pick<PolicyEngine, 'authorize'>;
  ca: Pick<Ca, 'issueFromCsr' | 'revokeWhere'>;
  grants?: GrantLookup | undefined;
  /** Epoch ms; defaults to Date.now. */
  clock: () => number;
}
