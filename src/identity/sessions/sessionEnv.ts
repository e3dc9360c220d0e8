// The Hono context variables the session middleware sets (unset = anonymous request).
import type { EntityDescription } from '../../policy/index.js';
import type { SessionInfo, User } from '../types.js';

export interface SessionVariables {
  session: SessionInfo | undefined;
  user: User | undefined;
  /** The policy principal of `user` (cached per user). */
  principal: EntityDescription | undefined;
  /** How the session came: the browser cookie (needs CSRF checks) or an agent bearer token. */
  sessionVia: 'cookie' | 'bearer' | undefined;
}

export type SessionEnv = { Variables: SessionVariables };
