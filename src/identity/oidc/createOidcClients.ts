// The configured OpenID Providers, side by side, each discovered lazily on first use and
// kept with its own JWKS cache. The only place that talks to IdP metadata endpoints.
import { createRemoteJWKSet, customFetch as joseCustomFetch, type JWTVerifyGetKey } from 'jose';
import * as client from 'openid-client';
import { RadgateError } from '../../errors/index.js';
import { OidcError } from './OidcError.js';
import { isLoopbackHost } from './isLoopbackHost.js';
import type { IdpConfig, OidcClients, OidcFetch, OidcIdp } from './types.js';

export interface CreateOidcClientsOptions {
  /** config.mode; plain-http IdPs (allowInsecureHttp) are refused in production (the default). */
  mode?: 'development' | 'production';
  /** Told once per IdP that uses a development-only shortcut. */
  warn?: (message: string) => void;
  /** Fetch used for every IdP request (e.g. one that trusts a private CA). */
  fetch?: OidcFetch;
  /** HTTP timeout per IdP request, seconds (default 10). */
  timeoutSeconds?: number;
}

export function createOidcClients(idps: readonly IdpConfig[], options: CreateOidcClientsOptions = {}): OidcClients {
  const byName = new Map<string, OidcIdp>();
  for (const idp of idps) {
    if (byName.has(idp.name)) throw new RadgateError('config-invalid', `config: identity.idps: duplicate name "${idp.name}"`);
    checkInsecureHttp(idp, options);
    byName.set(idp.name, lazyIdp(idp, options));
  }
  return {
    names: () => [...byName.keys()],
    has: (name) => byName.has(name),
    get(name) {
      const idp = byName.get(name);
      if (!idp) throw new OidcError('idp-unknown', { detail: `no identity provider named "${name}"` });
      return idp;
    },
  };
}

function lazyIdp(idp: IdpConfig, options: CreateOidcClientsOptions): OidcIdp {
  const timeout = options.timeoutSeconds ?? 10;
  let discovered: Promise<client.Configuration> | undefined;
  let jwks: Promise<JWTVerifyGetKey> | undefined;

  const configuration = () => {
    discovered ??= discover(idp, options.fetch, timeout).catch((err: unknown) => {
      discovered = undefined; // a later sign-in retries discovery
      throw err;
    });
    return discovered;
  };
  const keys = () => {
    jwks ??= configuration().then((cfg) => {
      const uri = cfg.serverMetadata().jwks_uri;
      if (!uri) throw new OidcError('idp-unavailable', { detail: `${idp.name}: discovery document has no jwks_uri` });
      const url = new URL(uri);
      if (url.protocol !== 'https:' && !(idp.allowInsecureHttp && url.protocol === 'http:')) {
        throw new OidcError('idp-unavailable', { detail: `${idp.name}: jwks_uri must be https` });
      }
      return createRemoteJWKSet(url, {
        timeoutDuration: timeout * 1000,
        ...(options.fetch ? { [joseCustomFetch]: options.fetch } : {}),
      });
    });
    jwks.catch(() => (jwks = undefined));
    return jwks;
  };
  return { config: idp, configuration, keys };
}

async function discover(idp: IdpConfig, fetch: OidcFetch | undefined, timeout: number): Promise<client.Configuration> {
  const execute = idp.allowInsecureHttp ? [client.allowInsecureRequests] : [];
  try {
    // discovery() checks that the document's `issuer` equals the configured issuer exactly.
    // Confidential clients authenticate with client_secret_post (openid-client's default).
    const auth = idp.clientSecret === undefined ? client.None() : undefined;
    return await client.discovery(new URL(idp.issuer), idp.clientId, idp.clientSecret, auth, {
      execute,
      timeout,
      ...(fetch ? { [client.customFetch]: (url: string, init: client.CustomFetchOptions) => fetch(url, init) } : {}),
    });
  } catch (err) {
    throw new OidcError('idp-unavailable', { detail: `${idp.name}: discovery of ${idp.issuer} failed: ${(err as Error).message}`, cause: err });
  }
}

/** STYLE 7: plain http is a named, loud, loopback-only shortcut, refused in production. */
function checkInsecureHttp(idp: IdpConfig, options: CreateOidcClientsOptions): void {
  const url = new URL(idp.issuer);
  if (url.protocol === 'https:') return;
  const where = `config: identity.idps[${idp.name}]`;
  if (url.protocol !== 'http:') throw new RadgateError('config-invalid', `${where}.issuer: expected an https URL`);
  if (!idp.allowInsecureHttp) throw new RadgateError('config-invalid', `${where}.issuer: plain http needs allowInsecureHttp (loopback test IdPs only)`);
  if ((options.mode ?? 'production') === 'production') throw new RadgateError('config-invalid', `${where}.allowInsecureHttp: refused in production mode`);
  if (!isLoopbackHost(url.hostname)) throw new RadgateError('config-invalid', `${where}.allowInsecureHttp: only for loopback issuers, got "${url.hostname}"`);
  options.warn?.(`identity provider "${idp.name}" uses plain http (${idp.issuer}): development only`);
}
