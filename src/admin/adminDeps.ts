// What the admin console needs from the broker, and the Hono env it runs in.
import type { AccessDeps } from '../access/index.js';
import type { AuditLog } from '../audit/index.js';
import type { Config } from '../config/index.js';
import type { Devices } from '../devices/index.js';
import type { EventBus } from '../events/index.js';
import type { SessionRegistry } from '../gateway/sessions/index.js';
import type { AppEnv } from '../http/index.js';
import type { Identity, SessionInfo, User } from '../identity/index.js';
import type { EntityDescription, PolicyEngine, PolicyVersions } from '../policy/index.js';
import type { Store } from '../store/index.js';
import type { KeyObject } from 'node:crypto';

export interface AdminDeps {
  config: Config;
  store: Store;
  audit: Pick<AuditLog, 'append'>;
  bus: EventBus;
  policy: PolicyEngine;
  policyVersions: PolicyVersions;
  identity: Identity;
  devices: Devices;
  /** The access module's deps: requests, grants and break-glass reviews pages. */
  access: AccessDeps;
  liveSessions: SessionRegistry;
  /** Checkpoint verification key of this broker's audit chain (chain status). */
  auditPublicKey: KeyObject;
}

/** What identity's session middleware sets before these routes. */
export type AdminEnv = AppEnv & {
  Variables: {
    session: SessionInfo | undefined;
    user: User | undefined;
    principal: EntityDescription | undefined;
    sessionVia: 'cookie' | 'bearer' | undefined;
  };
};
