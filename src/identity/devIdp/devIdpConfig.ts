// The dev IdP as seen from both sides: the IdP entry the relying party adds to its list
// when dev.idp.enabled, and the client registration the dev IdP is started with. Both
// halves share one client secret, random per process (the dev IdP lives in-process).
import { randomBytes } from 'node:crypto';
import type { Config } from '../../config/index.js';
import { RadgateError } from '../../errors/index.js';
import type { IdpConfig } from '../oidc/index.js';
import { assertLoopbackIssuer } from './assertLoopbackIssuer.js';
import type { DevIdpClient } from './createDevIdp.js';
import { DEMO_ROLE_MAP } from './demoUsers.js';

export const DEV_IDP_NAME = 'dev';
export const DEV_IDP_PATH = '/dev-idp';
export const DEV_IDP_CLIENT_ID = 'radgate-dev';

export interface DevIdpUrls {
  /** The broker's OIDC redirect URI. */
  redirectUri: string;
  /** The broker's back-channel logout endpoint for this IdP. */
  backchannelLogoutUri?: string;
  postLogoutRedirectUri?: string;
}

export interface DevIdpSetup {
  issuer: string;
  /** Add to the relying party's IdP list. */
  idp: IdpConfig;
  /** Register with createDevIdp. */
  client: DevIdpClient;
}

const secrets = new WeakMap<object, string>();

export function devIdpConfig(config: Pick<Config, 'publicUrl' | 'mode' | 'dev'>, urls: DevIdpUrls): DevIdpSetup {
  if (!config.dev.idp.enabled) throw new RadgateError('config-invalid', 'config: dev.idp.enabled: the development IdP is not enabled');
  if (config.mode === 'production') throw new RadgateError('config-invalid', 'config: dev.idp.enabled: the development IdP is refused in production mode');
  const issuer = `${config.publicUrl.replace(/\/+$/, '')}${DEV_IDP_PATH}`;
  const url = assertLoopbackIssuer(issuer);
  let clientSecret = secrets.get(config);
  if (!clientSecret) secrets.set(config, (clientSecret = randomBytes(32).toString('base64url')));

  const idp: IdpConfig = {
    name: DEV_IDP_NAME,
    displayName: 'Development IdP (demo users)',
    issuer,
    clientId: DEV_IDP_CLIENT_ID,
    clientSecret,
    scopes: ['openid', 'profile', 'email'],
    kind: 'workforce',
    claims: { organization: 'org', department: 'department', groups: 'groups', kind: 'kind', displayName: 'name', email: 'email' },
    roleMap: { ...DEMO_ROLE_MAP },
    algorithms: ['ES256', 'RS256'],
    allowInsecureHttp: url.protocol === 'http:',
  };
  const client: DevIdpClient = {
    clientId: DEV_IDP_CLIENT_ID,
    clientSecret,
    redirectUris: [urls.redirectUri],
    ...(urls.backchannelLogoutUri ? { backchannelLogoutUri: urls.backchannelLogoutUri } : {}),
    ...(urls.postLogoutRedirectUri ? { postLogoutRedirectUris: [urls.postLogoutRedirectUri] } : {}),
  };
  return { issuer, idp, client };
}
