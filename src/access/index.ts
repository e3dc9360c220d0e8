// Access: targets, just-in-time requests, approvals with separation of duties, time-boxed
// grants (expiry and revocation end tunnels), break-glass and its review.
export { createAccess } from './createAccess.js';
export type { Access, CreateAccessOptions } from './createAccess.js';
export type { AccessDeps, Caller } from './accessDeps.js';
export { AccessError, isAccessError } from './AccessError.js';
export type { AccessFailureReason } from './AccessError.js';
export { grantContext, grantIsLive, maxDurationFor, approvalsNeeded, targetEntity, requestEntity, targetLabels } from './accessRules.js';
export type { TunnelGatewayInfo, AccessEnv } from './routes.js';
export type { RequestView } from './requests.js';
export type { GrantView } from './grants.js';
export type { TargetView } from './targets.js';
export type { ReviewView } from './breakGlass.js';
