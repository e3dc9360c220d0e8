// The live-session registry: every gateway's open connections, cut when their grounds change.
export { createSessionRegistry } from './createSessionRegistry.js';
export type { GatewayKind, LiveSession, LiveSessionInit, SessionRegistry, SessionRegistryDeps } from './createSessionRegistry.js';
