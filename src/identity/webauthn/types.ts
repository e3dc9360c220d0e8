// What the security-key functions need from the rest of the broker, and what they return.
import type { AuditLog } from '../../audit/index.js';
import type { Store } from '../../store/index.js';
import type { SessionManager } from '../sessions/index.js';
import type { RelyingParty } from './relyingParty.js';

export interface WebauthnDeps {
  store: Pick<Store, 'webauthn' | 'challenges'>;
  sessions: Pick<SessionManager, 'markKeyVerified' | 'listSessions' | 'endSession'>;
  audit: Pick<AuditLog, 'append'>;
  rp: RelyingParty;
  /** Epoch ms; defaults to Date.now. */
  now?: () => number;
}

/** A registered key as its owner (and admins) see it: no key material. */
export interface KeyView {
  id: string;
  name: string;
  aaguid: string;
  transports: string[];
  deviceType: string | null;
  backedUp: boolean;
  createdAt: number;
  lastUsedAt: number | null;
  locked: boolean;
  lockedAt: number | null;
  lockReason: string | null;
}

/** Row purposes in `auth_challenges`. */
export const CHALLENGE_PURPOSE = {
  register: 'webauthn.register',
  authenticate: 'webauthn.authenticate',
} as const;

export type CeremonyPurpose = (typeof CHALLENGE_PURPOSE)[keyof typeof CHALLENGE_PURPOSE];
