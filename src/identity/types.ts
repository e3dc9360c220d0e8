// Shapes shared inside the identity module (OIDC, WebAuthn, sessions, routes).

export type UserKind = 'workforce' | 'vendor' | 'service';

/** A local user as the rest of radgate sees it. */
export interface User {
  id: string;
  issuer: string;
  subject: string;
  kind: UserKind;
  organization: string | null;
  department: string | null;
  displayName: string | null;
  email: string | null;
  roles: string[];
  disabled: boolean;
}

/** What the IdP proved at the end of a successful authorization-code flow. */
export interface OidcLoginResult {
  idp: string;
  user: User;
  /** `amr` from the ID token, if any, plus 'oidc'. */
  amr: string[];
  /** `sid` from the ID token (for back-channel logout), if any. */
  sid: string | null;
  /** auth_time (or now), epoch ms. */
  authTime: number;
  /** Where to go after the whole sign-in (validated: same-origin path only). */
  returnTo: string;
  /** Set when the login was started for an agent (RFC 8252 / device flow). */
  agentRequest: string | null;
}

/** Authentication facts of a login session, for `context.auth` in policy. */
export interface AuthFacts {
  idp: string;
  methods: string[];
  webauthn: boolean;
  credentialId: string | null;
  /** Seconds since the last WebAuthn user verification (or since OIDC when none yet). */
  ageSeconds: number;
}

export type SessionState = 'pending-key' | 'active' | 'ended';

export interface SessionInfo {
  id: string;
  userId: string;
  kind: 'browser' | 'agent';
  state: SessionState;
  idp: string;
  idpSid: string | null;
  amr: string[];
  credentialId: string | null;
  parentId: string | null;
  csrfSecret: string;
  createdAt: number;
  lastSeenAt: number;
  expiresAt: number;
  oidcAt: number;
  verifiedAt: number | null;
}

/** The cookie that carries a browser login session. `__Host-` pins it to this origin. */
export const SESSION_COOKIE = '__Host-radgate';
