// What the access module is built from; everything with I/O comes in here.
import type { AuditLog } from '../audit/index.js';
import type { Ca } from '../ca/index.js';
import type { Config } from '../config/index.js';
import type { EventBus } from '../events/index.js';
import type { SessionInfo, User } from '../identity/index.js';
import type { Notifier } from '../notify/index.js';
import type { EntityDescription, PolicyEngine } from '../policy/index.js';
import type { Store } from '../store/index.js';

export interface AccessDeps {
  access: Config['access'];
  /** config.identity.stepUpMaxAge, seconds: approvals, break-glass and target changes need a key verification this recent. */
  stepUpMaxAgeSeconds: number;
  /** The control plane's public URL (links in webhooks and CLI hints). */
  publicUrl: string;
  store: Pick<Store, 'access'>;
  /** User lookups (approver lists, requester facts). */
  users: { getUser(id: string): Promise<User | undefined> };
  audit: Pick<AuditLog, 'append'>;
  bus: Pick<EventBus, 'emit'>;
  policy: Pick<PolicyEngine, 'authorize'>;
  ca: Pick<Ca, 'revokeWhere'>;
  notifier: Pick<Notifier, 'send'>;
  /** Epoch ms. */
  clock: () => number;
  /** Called with each new or changed grant so its end fires on time (the scheduler). */
  onGrantChange?: (grantId: string) => void;
}

/** A signed-in caller as the routes hand it to domain functions. */
export interface Caller {
  user: User;
  session: SessionInfo;
  principal: EntityDescription;
}

export const ADMIN_ROLE = 'admin';
/** Roles that see every pending request (policy still decides each approval). */
export const APPROVER_ROLES = ['access-approver', 'admin'] as const;
