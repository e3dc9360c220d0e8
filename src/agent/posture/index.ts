// Device posture: per-OS collectors, each signal a value plus how it was read.
export { collectPosture } from './collectPosture.js';
export type { CollectedPosture } from './collectPosture.js';
export { collectorsFor, SUPPORTED_PLATFORMS } from './registry.js';
export { systemProbe } from './systemProbe.js';
export { SIGNAL_NAMES } from './types.js';
export type { Collector, CommandResult, PostureSignals, Probe, Signal, SignalName, SignalStatus } from './types.js';
