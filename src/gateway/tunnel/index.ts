// The vendor tunnel gateway: mTLS, a small preface naming the target, policy with the
// grant in context, node:net piping, live-session registration, optional recording.
export { createTunnelGateway, recordingPath } from './createTunnelGateway.js';
export type { TunnelGateway, TunnelGatewayOptions, TunnelAccess } from './createTunnelGateway.js';
export { parsePreface, encodePreface, encodeReply, TUNNEL_ALPN, MAX_PREFACE_BYTES, MAX_TARGET_LENGTH } from './preface.js';
export type { PrefaceResult } from './preface.js';
export { readRecording, RECORDING_MAGIC } from './sessionRecorder.js';
