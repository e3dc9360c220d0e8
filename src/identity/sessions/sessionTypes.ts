// The shapes the session manager takes and returns, and config to timeouts.
import type { AuditLog } from '../../audit/index.js';
import type { Config } from '../../config/index.js';
import type { EventBus } from '../../events/index.js';
import type { EntityDescription } from '../../policy/index.js';
import type { SessionRow, Store } from '../../store/index.js';
import type { SessionInfo, SessionState, User } from '../types.js';

export interface SessionTimeoutConfig {
  idleSeconds: number;
  absoluteSeconds: number;
  agentAbsoluteSeconds: number;
}

export function sessionTimeoutsFromConfig(config: Config): SessionTimeoutConfig {
  const s = config.identity.session;
  return { idleSeconds: s.idleTimeout, absoluteSeconds: s.absoluteTimeout, agentAbsoluteSeconds: s.agentAbsoluteTimeout };
}

export interface SessionManagerDeps {
  store: Pick<Store, 'sessions' | 'users'>;
  audit: Pick<AuditLog, 'append'>;
  bus: Pick<EventBus, 'emit' | 'on'>;
  timeouts: SessionTimeoutConfig;
  /** Epoch ms; defaults to Date.now. */
  now?: () => number;
  /** Lifetime of a warm-cache entry (default 5 s): bounds staleness across replicas. */
  cacheTtlMs?: number;
  cacheMaxEntries?: number;
  /** lastSeenAt is written at most this often per session (default min(60 s, idle/4)). */
  touchIntervalMs?: number;
  /** Errors of background writes (lastSeenAt touches). */
  onBackgroundError?: (err: unknown) => void;
}

export interface CreateSessionInput {
  user: User;
  kind: SessionInfo['kind'];
  idp: string;
  amr: readonly string[];
  idpSid: string | null;
  /** When the IdP authenticated the user, epoch ms. */
  oidcAt: number;
  state: Exclude<SessionState, 'ended'>;
  parentId?: string | null;
  /** Carried over when an agent session is minted from a verified browser session. */
  credentialId?: string | null;
  verifiedAt?: number | null;
  userAgent?: string | null;
  sourceIp?: string | null;
  now?: number;
}

export interface ValidatedSession {
  session: SessionInfo;
  user: User;
  principal: EntityDescription;
}

/** A session as its owner may see it: no secrets. */
export interface SessionListing {
  id: string;
  kind: SessionInfo['kind'];
  state: SessionState;
  idp: string;
  parentId: string | null;
  credentialId: string | null;
  userAgent: string | null;
  sourceIp: string | null;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  verifiedAt: number | null;
  endedAt: number | null;
  endReason: string | null;
}

export function toListing(r: SessionRow): SessionListing {
  return {
    id: r.id,
    kind: r.kind,
    state: r.state,
    idp: r.idp,
    parentId: r.parentId,
    credentialId: r.credentialId,
    userAgent: r.userAgent,
    sourceIp: r.sourceIp,
    createdAt: r.createdAt,
    lastSeenAt: r.lastSeenAt,
    expiresAt: r.expiresAt,
    verifiedAt: r.verifiedAt,
    endedAt: r.endedAt,
    endReason: r.endReason,
  };
}
