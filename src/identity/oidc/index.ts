// The OIDC relying party: several IdPs side by side, code flow with PKCE/state/nonce,
// ID-token verification, claim mapping and provisioning, back-channel logout.
export { createOidcClients } from './createOidcClients.js';
export type { CreateOidcClientsOptions } from './createOidcClients.js';
export { createOidcRp } from './createOidcRp.js';
export type { OidcRp } from './createOidcRp.js';
export { beginLogin } from './beginLogin.js';
export { completeLogin, skipBrowserBinding } from './completeLogin.js';
export type { CompleteLoginExpectations } from './completeLogin.js';
export { verifyLogoutToken, LOGOUT_JTI_PURPOSE } from './verifyLogoutToken.js';
export { handleBackchannelLogout, BACKCHANNEL_LOGOUT_REASON } from './handleBackchannelLogout.js';
export type { BackchannelLogoutResult } from './handleBackchannelLogout.js';
export { checkLogoutTokenClaims, BACKCHANNEL_LOGOUT_EVENT } from './checkLogoutTokenClaims.js';
export type { LogoutTokenProblem } from './checkLogoutTokenClaims.js';
export { verifyIdToken } from './verifyIdToken.js';
export type { IdTokenExpectations, IdTokenClaims } from './verifyIdToken.js';
export { mapClaims } from './mapClaims.js';
export type { MappedProfile } from './mapClaims.js';
export { safeReturnTo } from './safeReturnTo.js';
export { OidcError, isOidcError } from './OidcError.js';
export type { OidcFailureReason } from './OidcError.js';
export { OIDC_LOGIN_PURPOSE, MAX_TRANSACTION_TTL_SECONDS } from './oidcTransaction.js';
export { createNodeFetch } from './createNodeFetch.js';
export type { NodeFetchOptions } from './createNodeFetch.js';
export { isLoopbackHost } from './isLoopbackHost.js';
export { backchannelLogoutRoutes } from './backchannelLogoutRoutes.js';
export type {
  IdpConfig,
  OidcFetch,
  OidcRpDeps,
  BeginLoginInput,
  BeginLoginResult,
  LogoutTokenClaims,
  OidcTransaction,
  OidcClients,
  OidcIdp,
} from './types.js';
