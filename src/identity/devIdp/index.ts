// The embedded development IdP (oidc-provider) with demo users; loopback only.
export { createDevIdp } from './createDevIdp.js';
export type { DevIdp, DevIdpClient, DevIdpLog, CreateDevIdpOptions } from './createDevIdp.js';
export { DEMO_USERS, DEMO_ROLE_MAP, demoUserClaims } from './demoUsers.js';
export type { DevIdpUser } from './demoUsers.js';
export { assertLoopbackIssuer } from './assertLoopbackIssuer.js';
export { DEV_IDP_HEADING } from './pages.js';
export { devIdpConfig, DEV_IDP_NAME, DEV_IDP_PATH, DEV_IDP_CLIENT_ID } from './devIdpConfig.js';
export type { DevIdpSetup, DevIdpUrls } from './devIdpConfig.js';
export { devIdpRoutes } from './devIdpRoutes.js';
