// Agent login, server side: RFC 8252 loopback codes with PKCE and RFC 8628 device codes,
// redeemed at /agent/token for an agent session minted by the sessions module.
export { createAgentLogin } from './createAgentLogin.js';
export type { AgentLogin } from './createAgentLogin.js';
export { createLoopbackCode, checkLoopbackRequest } from './createLoopbackCode.js';
export type { LoopbackCodeRequest, LoopbackRequestProblem } from './createLoopbackCode.js';
export { exchangeLoopbackCode } from './exchangeLoopbackCode.js';
export type { LoopbackExchange } from './exchangeLoopbackCode.js';
export { startDeviceAuthorization } from './startDeviceAuthorization.js';
export { lookupUserCode } from './lookupUserCode.js';
export type { PendingDeviceRequest } from './lookupUserCode.js';
export { approveDeviceCode, denyDeviceCode } from './decideDeviceCode.js';
export type { DeviceDecider } from './decideDeviceCode.js';
export { pollDeviceCode } from './pollDeviceCode.js';
export type { DevicePollResult } from './pollDeviceCode.js';
export { issueAgentToken, DEVICE_CODE_GRANT } from './issueAgentToken.js';
export type { TokenRequestParams } from './issueAgentToken.js';
export { validateLoopbackRedirectUri, MAX_REDIRECT_URI_LENGTH } from './validateLoopbackRedirectUri.js';
export type { RedirectUriCheck, RedirectUriProblem } from './validateLoopbackRedirectUri.js';
export { verifyPkceS256 } from './verifyPkceS256.js';
export { formatUserCode, normalizeUserCode, USER_CODE_ALPHABET } from './handles.js';
export { OAuthError, isOAuthError, TOKEN_RESPONSE_HEADERS } from './OAuthError.js';
export type { OAuthErrorCode, OAuthErrorBody } from './OAuthError.js';
export {
  DEVICE_CODE_TTL_MS,
  DEVICE_POLL_INTERVAL_S,
  LOOPBACK_CODE_TTL_MS,
  PURPOSE as AGENT_LOGIN_PURPOSE,
} from './types.js';
export type {
  AgentLoginDeps,
  AgentTokenResponse,
  AgentUser,
  DeviceAuthorizationResponse,
  DeviceRequestOrigin,
  MintAgentSession,
  MintedAgentSession,
} from './types.js';
