// Composes the identity module: IdPs (plus the dev IdP when enabled), login sessions,
// security keys, agent login and the routes that expose them.
import type { AuditLog } from '../audit/index.js';
import type { Config } from '../config/index.js';
import type { EventBus } from '../events/index.js';
import type { Logger } from '../log/index.js';
import type { Store } from '../store/index.js';
import { createAgentLogin, type AgentLogin } from './agentLogin/index.js';
import { createDevIdp, devIdpConfig, type DevIdp } from './devIdp/index.js';
import { createNodeFetch, createOidcClients, createOidcRp, type IdpConfig, type OidcRp } from './oidc/index.js';
import { identityMiddleware, identityPublicRoutes, identityRoutes } from './routes.js';
import { createSessionManager, sessionTimeoutsFromConfig, type SessionManager } from './sessions/index.js';
import { createWebauthn, relyingPartyFromConfig, type RelyingParty, type Webauthn } from './webauthn/index.js';

export interface IdentityDeps {
  config: Config;
  store: Store;
  audit: Pick<AuditLog, 'append'>;
  bus: EventBus;
  logger: Logger;
  /** PEM roots the broker trusts for its own HTTPS (the dev IdP lives on the control plane). */
  selfTrustPem: string;
}

export interface Identity {
  readonly rp: OidcRp;
  readonly sessions: SessionManager;
  readonly webauthn: Webauthn;
  readonly agentLogin: AgentLogin;
  readonly relyingParty: RelyingParty;
  readonly devIdp: DevIdp | undefined;
  /** Names of the configured IdPs, with the dev IdP flagged. */
  readonly idps: { name: string; displayName: string; dev: boolean }[];
  /** Session + CSRF middleware for every control-plane route (apply before any feature routes). */
  middleware(): ReturnType<typeof identityMiddleware>;
  /** Assets and the dev IdP: mount before the middleware. */
  publicRoutes(): ReturnType<typeof identityPublicRoutes>;
  routes(): ReturnType<typeof identityRoutes>;
  close(): void;
}

export const OIDC_CALLBACK_PATH = '/auth/callback';
export const BACKCHANNEL_LOGOUT_PATH = '/auth/backchannel-logout';

export async function createIdentity(deps: IdentityDeps): Promise<Identity> {
  const { config, store, audit, bus } = deps;
  const redirectUri = `${config.publicUrl}${OIDC_CALLBACK_PATH}`;
  const idps: IdpConfig[] = [...config.identity.idps];
  let devIdp: DevIdp | undefined;
  const selfFetch = createNodeFetch({ ca: deps.selfTrustPem });
  if (config.dev.idp.enabled) {
    const setup = devIdpConfig(config, { redirectUri, backchannelLogoutUri: `${config.publicUrl}${BACKCHANNEL_LOGOUT_PATH}/dev` });
    idps.push(setup.idp);
    devIdp = await createDevIdp({
      issuer: setup.issuer,
      clients: [setup.client],
      fetch: selfFetch,
      log: { warn: (obj, msg) => deps.logger.warn(obj, msg) },
    });
  }
  const clients = createOidcClients(idps, { fetch: selfFetch, mode: config.mode, warn: (msg: string) => deps.logger.warn(msg) });
  const rp = createOidcRp({ clients, store, audit, bus, redirectUri });
  const sessions = createSessionManager({
    store,
    audit,
    bus,
    timeouts: sessionTimeoutsFromConfig(config),
    onBackgroundError: (err) => deps.logger.warn({ err: String(err) }, 'session touch failed'),
  });
  const relyingParty = relyingPartyFromConfig(config);
  const webauthn = createWebauthn({ store, sessions, audit, rp: relyingParty });
  const agentLogin = createAgentLogin({
    challenges: store.challenges,
    audit,
    clock: () => new Date(),
    publicUrl: config.publicUrl,
    mintAgentSession: async (i) => {
      const r = await sessions.mintAgentSession(i);
      return { token: r.token, sessionId: r.session.id, expiresAt: r.session.expiresAt, user: { id: r.user.id, displayName: r.user.displayName, kind: r.user.kind } };
    },
  });
  const identity: Identity = {
    rp,
    sessions,
    webauthn,
    agentLogin,
    relyingParty,
    devIdp,
    idps: idps.map((i) => ({ name: i.name, displayName: i.displayName ?? i.name, dev: devIdp !== undefined && i.name === 'dev' })),
    middleware: () => identityMiddleware({ identity, config, audit }),
    publicRoutes: () => identityPublicRoutes({ identity, config, audit }),
    routes: () => identityRoutes({ identity, config, audit }),
    close: () => sessions.close(),
  };
  return identity;
}
