// The radgate agent's login surface: loopback (RFC 8252) and device (RFC 8628) sign-in,
// logout, whoami, and the 0600 session file. Imports nothing from the server side.
export { AgentError, isAgentError } from './AgentError.js';
export type { AgentErrorCode } from './AgentError.js';
export { resolveAgentHome, ensureAgentHome } from './agentHome.js';
export { readSession, writeSession, removeSession, sessionFilePath, SESSION_FILE } from './sessionFile.js';
export type { AgentSession, AgentSessionUser } from './sessionFile.js';
export { loginLoopback, LOOPBACK_TIMEOUT_MS } from './loginLoopback.js';
export type { LoopbackLoginOptions } from './loginLoopback.js';
export { loginDevice } from './loginDevice.js';
export type { DeviceLoginOptions } from './loginDevice.js';
export { logout } from './logout.js';
export type { LogoutOptions, LogoutResult } from './logout.js';
export { whoami } from './whoami.js';
export type { WhoamiResult } from './whoami.js';
export { defaultOpenBrowser } from './openBrowser.js';
export type { OpenBrowser } from './openBrowser.js';
export { normalizeFingerprint } from './fingerprint.js';
export { pinFilePath } from './serverTrust.js';
export type { TrustOptions } from './serverTrust.js';
