// Dependencies and shapes of the OIDC relying party.
import type { AuditLog } from '../../audit/index.js';
import type { Config } from '../../config/index.js';
import type { EventBus } from '../../events/index.js';
import type { Store } from '../../store/index.js';
import type { JWTVerifyGetKey } from 'jose';
import type { Configuration } from 'openid-client';

/** One configured OpenID Provider (`identity.idps[]`). */
export type IdpConfig = Config['identity']['idps'][number];

/** A fetch the RP uses for discovery, token, userinfo and JWKS requests. */
export type OidcFetch = (url: string, init: RequestInit) => Promise<Response>;

export type Clock = () => number;

export interface OidcIdp {
  readonly config: IdpConfig;
  /** The discovered openid-client Configuration (cached; retried after a failure). */
  configuration(): Promise<Configuration>;
  /** Keys from the discovered `jwks_uri`, cached and refreshed by jose on unknown `kid`. */
  keys(): Promise<JWTVerifyGetKey>;
}

export interface OidcClients {
  names(): string[];
  /** Throws OidcError('idp-unknown') for a name that is not configured. */
  get(name: string): OidcIdp;
  has(name: string): boolean;
}

export interface OidcRpDeps {
  clients: OidcClients;
  store: Pick<Store, 'challenges' | 'users' | 'sessions'>;
  audit: Pick<AuditLog, 'append'>;
  bus: Pick<EventBus, 'emit'>;
  /** The broker's registered redirect URI, e.g. https://radgate.example/auth/oidc/callback. */
  redirectUri: string;
  /** Epoch milliseconds; defaults to Date.now. */
  now?: Clock;
  /** Lifetime of a login transaction; at most (and by default) 600 s. */
  transactionTtlSeconds?: number;
}

/** An OIDC login transaction, stored single-use under the hash of its state. */
export interface OidcTransaction {
  idp: string;
  codeVerifier: string;
  nonce: string;
  returnTo: string;
  agentRequest: string | null;
}

export interface BeginLoginInput {
  idp: string;
  /** Where to go afterwards; anything but a same-origin absolute path becomes '/'. */
  returnTo?: string | null;
  /** Opaque handle of an agent login that started this browser sign-in. */
  agentRequest?: string | null;
  /** OIDC `login_hint`, passed through. */
  loginHint?: string;
  /** OIDC `prompt` (e.g. 'login' to force re-authentication). */
  prompt?: 'login' | 'none' | 'consent' | 'select_account';
}

export interface BeginLoginResult {
  /** The IdP authorization URL to redirect the browser to. */
  url: string;
  /**
   * The state value; the caller binds it to the browser (a short-lived __Host- cookie)
   * and passes it back to completeLogin as `browserState`.
   */
  state: string;
  /** Epoch ms after which the transaction is gone. */
  expiresAt: number;
}

/** The verified content of a back-channel logout token. */
export interface LogoutTokenClaims {
  iss: string;
  sub: string | null;
  sid: string | null;
  jti: string;
}
