// Binds the agent login functions to their dependencies, for the routes to hold one object.
import { createLoopbackCode, checkLoopbackRequest, type LoopbackCodeRequest } from './createLoopbackCode.js';
import { approveDeviceCode, denyDeviceCode, type DeviceDecider } from './decideDeviceCode.js';
import { exchangeLoopbackCode, type LoopbackExchange } from './exchangeLoopbackCode.js';
import { issueAgentToken, type TokenRequestParams } from './issueAgentToken.js';
import { lookupUserCode, type PendingDeviceRequest } from './lookupUserCode.js';
import { pollDeviceCode, type DevicePollResult } from './pollDeviceCode.js';
import { startDeviceAuthorization } from './startDeviceAuthorization.js';
import type { AgentLoginDeps, AgentTokenResponse, DeviceAuthorizationResponse, DeviceRequestOrigin } from './types.js';

export interface AgentLogin {
  checkLoopbackRequest: typeof checkLoopbackRequest;
  createLoopbackCode(req: LoopbackCodeRequest): Promise<{ redirectTo: string }>;
  exchangeLoopbackCode(req: LoopbackExchange): Promise<{ userId: string; parentSessionId: string }>;
  startDeviceAuthorization(origin?: DeviceRequestOrigin): Promise<DeviceAuthorizationResponse>;
  lookupUserCode(userCode: string): Promise<PendingDeviceRequest | undefined>;
  approveDeviceCode(req: DeviceDecider & { userCode: string }): Promise<void>;
  denyDeviceCode(userCode: string, by?: DeviceDecider): Promise<void>;
  pollDeviceCode(deviceCode: string, now?: Date): Promise<DevicePollResult>;
  /** POST /agent/token: throws OAuthError for protocol errors. */
  issueAgentToken(params: TokenRequestParams): Promise<AgentTokenResponse>;
}

export function createAgentLogin(deps: AgentLoginDeps): AgentLogin {
  return {
    checkLoopbackRequest,
    createLoopbackCode: (req) => createLoopbackCode(deps, req),
    exchangeLoopbackCode: (req) => exchangeLoopbackCode(deps, req),
    startDeviceAuthorization: (origin) => startDeviceAuthorization(deps, origin),
    lookupUserCode: (code) => lookupUserCode(deps, code),
    approveDeviceCode: (req) => approveDeviceCode(deps, req),
    denyDeviceCode: (code, by) => denyDeviceCode(deps, code, by),
    pollDeviceCode: (code, now) => pollDeviceCode(deps, code, now),
    issueAgentToken: (params) => issueAgentToken(deps, params),
  };
}
