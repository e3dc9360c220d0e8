// Identity: OIDC sign-in at the hospital's IdPs, WebAuthn security keys, login sessions,
// step-up, agent login and the development IdP.
export { createIdentity, OIDC_CALLBACK_PATH, BACKCHANNEL_LOGOUT_PATH } from './createIdentity.js';
export type { Identity, IdentityDeps } from './createIdentity.js';
export { problemPage } from './pages/pages.js';
export type { User, AuthFacts, SessionInfo, OidcLoginResult, UserKind } from './types.js';
export { SESSION_COOKIE } from './types.js';
export { authContext, authFacts, principalFor, verifyCsrf, csrfToken } from './sessions/index.js';
export { isAuthFresh } from './stepUp/index.js';
export type { SessionManager, ValidatedSession } from './sessions/index.js';
