// A real oidc-provider (the dev IdP) on 127.0.0.1 as a separate issuer for tests, and a
// cookie-keeping user agent that drives its sign-in and sign-out pages over HTTP.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createDevIdp, type DevIdp, type DevIdpClient, type DevIdpUser } from '../../src/identity/devIdp/index.js';

export interface StartOidcProviderOptions {
  clients: DevIdpClient[];
  users?: readonly DevIdpUser[];
  /** Mount the IdP under this path (e.g. '/idp'); default the root. */
  pathPrefix?: string;
  conformIdTokenClaims?: boolean;
}

export interface TestOidcProvider {
  readonly issuer: string;
  readonly devIdp: DevIdp;
  /** A fresh user agent with its own cookies. */
  browser(): IdpBrowser;
  /** Resolves with the next back-channel logout delivery outcome. */
  nextBackchannelDelivery(): Promise<{ ok: boolean; clientId: string; error?: string }>;
  stop(): Promise<void>;
}

export async function startOidcProvider(options: StartOidcProviderOptions): Promise<TestOidcProvider> {
  let handler: ((req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => void) | undefined;
  const server: Server = createServer((req, res) => (handler ? handler(req, res) : res.writeHead(503).end()));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const issuer = `http://127.0.0.1:${port}${options.pathPrefix ?? ''}`;
  const devIdp = await createDevIdp({
    issuer,
    clients: options.clients,
    ...(options.users ? { users: options.users } : {}),
    ...(options.conformIdTokenClaims !== undefined ? { conformIdTokenClaims: options.conformIdTokenClaims } : {}),
  });
  handler = devIdp.callback;
  const redirectUris = options.clients.flatMap((c) => c.redirectUris);
  return {
    issuer,
    devIdp,
    browser: () => new IdpBrowser(issuer, redirectUris),
    nextBackchannelDelivery: () =>
      new Promise((resolve) => {
        const ok = (_ctx: unknown, client: { clientId: string }) => done({ ok: true, clientId: client.clientId });
        const bad = (_ctx: unknown, err: Error, client: { clientId: string }) => done({ ok: false, clientId: client.clientId, error: err.message });
        const done = (r: { ok: boolean; clientId: string; error?: string }) => {
          devIdp.provider.off('backchannel.success', ok);
          devIdp.provider.off('backchannel.error', bad);
          resolve(r);
        };
        devIdp.provider.on('backchannel.success', ok);
        devIdp.provider.on('backchannel.error', bad);
      }),
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** Follows the IdP's redirects with cookies, as a browser would, without a browser. */
export class IdpBrowser {
  private readonly cookies = new Map<string, string>();

  constructor(
    private readonly issuer: string,
    private readonly redirectUris: readonly string[],
    /** e.g. createNodeFetch({ ca }) for an IdP behind radgate's own CA. */
    private readonly fetchImpl: (url: string, init: RequestInit) => Promise<Response> = fetch,
  ) {}

  /**
   * Opens an authorization URL, signs in as `user` on the dev IdP page when asked, and
   * returns the callback URL the IdP redirects to (code, state, iss) without opening it.
   */
  async signIn(authorizationUrl: string, user: string): Promise<URL> {
    let url = authorizationUrl;
    let res = await this.request('GET', url);
    for (let hop = 0; hop < 12; hop++) {
      const location = res.headers.get('location');
      if (location) {
        const next = new URL(location, url);
        if (this.isRedirectUri(next)) return next;
        url = next.href;
        res = await this.request('GET', url);
        continue;
      }
      const html = await res.text();
      const action = /<form class="user" method="post" action="([^"]+)"/.exec(html)?.[1];
      if (res.status !== 200 || !action) throw new Error(`dev IdP answered ${res.status} without a sign-in form: ${html.slice(0, 300)}`);
      url = new URL(unescape(action), url).href;
      res = await this.request('POST', url, new URLSearchParams({ user }));
    }
    throw new Error('too many redirects');
  }

  /** Opens the IdP's page at `url` and returns status and body (for page assertions). */
  async open(url: string): Promise<{ status: number; html: string; headers: Headers }> {
    const res = await this.request('GET', url);
    return { status: res.status, html: await res.text(), headers: res.headers };
  }

  /** RP-initiated logout at the IdP, confirmed on its logout page ("Yes, sign me out"). */
  async endSession(): Promise<number> {
    const pageUrl = `${this.issuer}/session/end`;
    const page = await this.request('GET', pageUrl);
    const html = await page.text();
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(html)?.[1];
    const action = /id="op.logoutForm" method="post" action="([^"]+)"/.exec(html)?.[1];
    if (!xsrf || !action) throw new Error(`no logout form (${page.status}): ${html.slice(0, 300)}`);
    const res = await this.request('POST', new URL(unescape(action), pageUrl).href, new URLSearchParams({ xsrf, logout: 'yes' }));
    return res.status;
  }

  private isRedirectUri(url: URL): boolean {
    const bare = `${url.origin}${url.pathname}`;
    return this.redirectUris.includes(bare);
  }

  private async request(method: 'GET' | 'POST', url: string, form?: URLSearchParams): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookies.size > 0) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    if (form) headers['content-type'] = 'application/x-www-form-urlencoded';
    const res = await this.fetchImpl(url, { method, headers, redirect: 'manual', ...(form ? { body: form.toString() } : {}) });
    for (const line of res.headers.getSetCookie()) this.store(line);
    return res;
  }

  private store(setCookie: string): void {
    const [pair, ...attrs] = setCookie.split(';');
    const eq = pair!.indexOf('=');
    const name = pair!.slice(0, eq).trim();
    const value = pair!.slice(eq + 1).trim();
    const expired = attrs.some((a) => /^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) < Date.now()) || attrs.some((a) => /^\s*max-age=0/i.test(a));
    if (expired || value === '') this.cookies.delete(name);
    else this.cookies.set(name, value);
  }
}

function unescape(s: string): string {
  return s.replace(/&#(\d+);/g, (_, n: string) => String.fromCharCode(Number(n))).replace(/&amp;/g, '&');
}
