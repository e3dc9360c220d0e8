// Access: targets, just-in-time requests, approvals with separation of duties, time-boxed
// grants (expiry and revocation end tunnels), break-glass and its review.
export { createAccess } from './createAccess.js';
export type { Access, CreateAccessOptions } from './createAccess.js';
export type { AccessDeps, Caller } from './accessDeps.js';
export { AccessError, isAccessError } from './AccessError.js';
export type { AccessFailureReason } from './AccessError.js';
export { grantContext, grantIsLive, effectiveRequestState, maxDurationFor, approvalsNeeded, targetEntity, requestEntity, targetLabels } from './accessRules.js';
export type { TunnelGatewayInfo, AccessEnv } from './routes.js';
export type { RequestView } from './requests.js';
export type { GrantView } from './grants.js';
export type { TargetView } from './targets.js';
export type { ReviewView } from './breakGlass.js';
// For the admin console: its pages read the store and call the same domain functions.
export { requestView } from './requests.js';
export { grantView } from './grants.js';
export { decideRequest } from './decideRequest.js';
export type { DecideResult } from './decideRequest.js';
export { revokeGrant } from './grants.js';
export { recordBreakGlassReview, BREAKGLASS_REVIEW_KIND } from './breakGlass.js';
