// The embedded development IdP: a real oidc-provider 9 with demo users, one-click
// sign-in pages that say what they are, back-channel logout, fresh keys per start.
// Loopback issuers only.
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import Provider, { type KoaContextWithOIDC } from 'oidc-provider';
import { DEMO_USERS, demoUserClaims, type DevIdpUser } from './demoUsers.js';
import { assertLoopbackIssuer } from './assertLoopbackIssuer.js';
import { createMemoryAdapter } from './createMemoryAdapter.js';
import { generateSigningKeys } from './generateSigningKeys.js';
import { handleInteraction } from './handleInteraction.js';
import { DEV_IDP_CSP, errorPage, loggedOutPage, logoutPage } from './pages.js';

export interface DevIdpClient {
  clientId: string;
  clientSecret: string;
  redirectUris: string[];
  /** OpenID Connect Back-Channel Logout endpoint of the client. */
  backchannelLogoutUri?: string;
  postLogoutRedirectUris?: string[];
  /** Default ES256. */
  idTokenSignedResponseAlg?: 'ES256' | 'RS256';
}

export interface DevIdpLog {
  warn(obj: object, msg: string): void;
}

export interface CreateDevIdpOptions {
  /** Issuer URL; its path (if any) is where the IdP is mounted. Loopback hosts only. */
  issuer: string;
  clients: DevIdpClient[];
  users?: readonly DevIdpUser[];
  log?: DevIdpLog;
  /**
   * Outbound HTTP for back-channel logout deliveries (e.g. one trusting radgate's CA when
   * the broker's endpoint is https://localhost). Default: global fetch.
   */
  fetch?: (url: string, init: RequestInit) => Promise<Response>;
  /**
   * false (default): profile claims travel in the ID token too. true: the ID token carries
   * only sub (the OIDC default), and relying parties must use userinfo.
   */
  conformIdTokenClaims?: boolean;
}

export interface DevIdp {
  readonly issuer: string;
  /** The path prefix the IdP answers under ('' at the root). */
  readonly mountPath: string;
  readonly provider: Provider;
  readonly users: readonly DevIdpUser[];
  /** A Node request handler for every path under the issuer. */
  callback(req: IncomingMessage, res: ServerResponse): void;
}

const BACKCHANNEL_LOGOUT_EVENT_ERRORS = 'backchannel.error';

export async function createDevIdp(options: CreateDevIdpOptions): Promise<DevIdp> {
  const issuerUrl = assertLoopbackIssuer(options.issuer);
  const issuer = options.issuer.replace(/\/+$/, '');
  const mountPath = issuerUrl.pathname.replace(/\/+$/, '');
  const users = new Map((options.users ?? DEMO_USERS).map((u) => [u.sub, u] as const));

  const provider = new Provider(issuer, {
    adapter: createMemoryAdapter(),
    clients: options.clients.map((c) => ({
      client_id: c.clientId,
      client_secret: c.clientSecret,
      redirect_uris: c.redirectUris,
      post_logout_redirect_uris: c.postLogoutRedirectUris ?? [],
      grant_types: ['authorization_code'],
      response_types: ['code'],
      token_endpoint_auth_method: 'client_secret_post',
      id_token_signed_response_alg: c.idTokenSignedResponseAlg ?? 'ES256',
      ...(c.backchannelLogoutUri ? { backchannel_logout_uri: c.backchannelLogoutUri, backchannel_logout_session_required: true } : {}),
    })),
    jwks: await generateSigningKeys(),
    cookies: {
      keys: [randomBytes(32).toString('base64url')],
      long: { signed: true, httpOnly: true, sameSite: 'lax' },
      short: { signed: true, httpOnly: true, sameSite: 'lax' },
    },
    async findAccount(_ctx: unknown, sub: string) {
      const user = users.get(sub);
      return user ? { accountId: sub, claims: () => demoUserClaims(user) } : undefined;
    },
    claims: {
      openid: ['sub'],
      profile: ['name', 'org', 'department', 'groups', 'kind'],
      email: ['email', 'email_verified'],
      acr: null,
      sid: null,
      auth_time: null,
      amr: null,
    },
    scopes: ['openid', 'profile', 'email'],
    conformIdTokenClaims: options.conformIdTokenClaims ?? false,
    pkce: { required: () => true },
    features: {
      devInteractions: { enabled: false },
      backchannelLogout: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: (ctx: KoaContextWithOIDC, form: string) => html(ctx, logoutPage(ctx.host, form)),
        postLogoutSuccessSource: (ctx: KoaContextWithOIDC) => html(ctx, loggedOutPage()),
      },
      resourceIndicators: { enabled: false },
      pushedAuthorizationRequests: { enabled: false },
    },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `${mountPath}/interaction/${interaction.uid}` },
    // First-party demo clients: consent is implied, for exactly the scopes requested.
    async loadExistingGrant(ctx: KoaContextWithOIDC) {
      const { client, session, result } = ctx.oidc;
      if (!client || !session?.accountId) return undefined;
      const grantId = result?.consent?.grantId ?? session.grantIdFor(client.clientId);
      const grant = (grantId ? await ctx.oidc.provider.Grant.find(grantId) : undefined) ?? new ctx.oidc.provider.Grant({ clientId: client.clientId, accountId: session.accountId });
      grant.addOIDCScope([...ctx.oidc.requestParamScopes].join(' '));
      await grant.save();
      return grant;
    },
    renderError: (ctx: KoaContextWithOIDC, out: Record<string, unknown>) => html(ctx, errorPage(out)),
    clientBasedCORS: () => false,
    // oidc-provider refuses outbound requests to special-use addresses (SSRF guard), which
    // would stop back-channel logout to a broker on loopback. The dev IdP's clients are fixed
    // in code, never registered dynamically, so its only outbound targets are those.
    fetch: (url: string, init: RequestInit & { dispatcher?: unknown }) => {
      const { dispatcher: _ssrfGuard, ...rest } = init;
      return (options.fetch ?? globalThis.fetch)(url, rest);
    },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 8 * 3600, Grant: 8 * 3600 },
  });
  provider.on('server_error', (_ctx: unknown, err: Error) => options.log?.warn({ err: err.message }, 'dev IdP server error'));
  provider.on(BACKCHANNEL_LOGOUT_EVENT_ERRORS, (_ctx: unknown, err: Error, client: { clientId: string }) =>
    options.log?.warn({ err: err.message, clientId: client.clientId }, 'dev IdP back-channel logout delivery failed'),
  );

  const handle = provider.callback();
  const interactionCtx = { provider, mountPath, users };
  const callback = (req: IncomingMessage, res: ServerResponse): void => {
    const url = req.url ?? '/';
    const pathname = url.split('?')[0]!;
    if (mountPath && pathname !== mountPath && !pathname.startsWith(`${mountPath}/`)) {
      res.statusCode = 404;
      res.end('not found');
      return;
    }
    handleInteraction(interactionCtx, req, res, pathname).then(
      (handled) => {
        if (handled) return;
        // oidc-provider routes on the path below its mount point and builds URLs from originalUrl.
        (req as IncomingMessage & { originalUrl?: string }).originalUrl = url;
        const below = url.slice(mountPath.length);
        req.url = below.startsWith('/') ? below : `/${below}`;
        handle(req, res);
      },
      (err: unknown) => {
        options.log?.warn({ err: err instanceof Error ? err.message : String(err) }, 'dev IdP interaction failed');
        if (!res.headersSent) res.statusCode = 500;
        res.end();
      },
    );
  };
  return { issuer, mountPath, provider, users: [...users.values()], callback };
}

function html(ctx: KoaContextWithOIDC, body: string): void {
  ctx.type = 'html';
  ctx.body = body;
  (ctx as unknown as { set(name: string, value: string): void }).set('Content-Security-Policy', DEV_IDP_CSP);
}
