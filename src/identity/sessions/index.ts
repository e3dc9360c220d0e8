// Login sessions: tokens, the warm-cached validation path, CSRF and Hono middleware.
export { createSessionManager, sessionTimeoutsFromConfig } from './createSessionManager.js';
export type {
  SessionManager,
  SessionManagerDeps,
  SessionTimeoutConfig,
  CreateSessionInput,
  ValidatedSession,
  SessionListing,
} from './createSessionManager.js';
export { SessionError, isSessionError } from './SessionError.js';
export type { SessionFailureReason } from './SessionError.js';
export { authFacts, authContext } from './authFacts.js';
export { principalFor, userActor } from './principalFor.js';
export { sessionCookie, clearSessionCookie } from './sessionCookie.js';
export { csrfToken, verifyCsrf, constantTimeEqual } from './csrf.js';
export type { VerifyCsrfInput, CsrfVerdict } from './csrf.js';
export { sessionFromRow, userFromRow } from './sessionFromRow.js';
export { sessionRejection } from './sessionRejection.js';
export { hashSessionToken, isWellFormedToken } from './sessionToken.js';
export { sessionMiddleware, requireSession, currentSession } from './sessionMiddleware.js';
export type { SessionMiddlewareDeps, RequireSessionOptions } from './sessionMiddleware.js';
export { csrfProtection } from './csrfProtection.js';
export type { CsrfProtectionDeps } from './csrfProtection.js';
export type { SessionEnv, SessionVariables } from './sessionEnv.js';
