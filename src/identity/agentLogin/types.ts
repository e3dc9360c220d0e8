// The agent login's dependencies and the shapes its functions exchange with the routes.
import type { AuditLog } from '../../audit/index.js';
import type { ChallengesRepo } from '../../store/index.js';
import type { UserKind } from '../types.js';

/** The user as the agent sees it in a token response. */
export interface AgentUser {
  id: string;
  displayName: string | null;
  kind: UserKind;
}

/** What the sessions module returns when it mints an agent session under a browser one. */
export interface MintedAgentSession {
  /** The bearer token; shown once, stored by the sessions module as its SHA-256 only. */
  token: string;
  sessionId: string;
  /** Epoch ms. */
  expiresAt: number;
  user: AgentUser;
}

/**
 * Mints an agent session as a child of the browser session that approved it. Must refuse
 * (throw a RadgateError with status < 500) when the parent session is no longer active
 * or the user is disabled.
 */
export type MintAgentSession = (input: { parentSessionId: string; userId: string }) => Promise<MintedAgentSession>;

export interface AgentLoginDeps {
  challenges: Pick<ChallengesRepo, 'put' | 'take' | 'peek' | 'updatePayload'>;
  audit: Pick<AuditLog, 'append'>;
  clock: () => Date;
  /** The broker's public https origin, for RFC 8628 verification URIs. */
  publicUrl: string;
  /** Needed by `issueAgentToken` only. */
  mintAgentSession?: MintAgentSession;
}

/** Row purposes in `auth_challenges`. */
export const PURPOSE = {
  loopbackCode: 'agent.loopback-code',
  deviceCode: 'agent.device-code',
  userCode: 'agent.user-code',
} as const;

/** RFC 8252 / RFC 6749 4.1.2: authorization codes live at most a minute. */
export const LOOPBACK_CODE_TTL_MS = 60_000;
/** RFC 8628 3.2: device codes expire; ten minutes is enough to find a browser. */
export const DEVICE_CODE_TTL_MS = 10 * 60_000;
/** RFC 8628 3.2: the minimum polling interval, and 3.5: what slow_down adds. */
export const DEVICE_POLL_INTERVAL_S = 5;
export const SLOW_DOWN_STEP_S = 5;

/** RFC 8628 3.2 device authorization response. */
export interface DeviceAuthorizationResponse {
  device_code: string;
  user_code: string;
  verification_uri: string;
  verification_uri_complete: string;
  expires_in: number;
  interval: number;
}

/** Where a device authorization came from, shown on the approval page (RFC 8628 5.4). */
export interface DeviceRequestOrigin {
  address?: string;
  userAgent?: string;
}

/** Token endpoint success body. */
export interface AgentTokenResponse {
  session_token: string;
  token_type: 'Bearer';
  /** ISO 8601. */
  expires_at: string;
  /** Seconds (RFC 6749 5.1). */
  expires_in: number;
  user: AgentUser;
  session_id: string;
}

export { userActor } from '../../audit/index.js';
