export { loadConfig } from './loadConfig.js';
export type { Config, LoadConfigOptions } from './loadConfig.js';
export { parseDurationSeconds } from './duration.js';
export { configSchema } from './schema.js';
export { devicesConfigSchema, TIERS, POSTURE_SIGNALS, DEFAULT_TIER_RULES, tierRuleSchema } from './devicesSchema.js';
export type { DevicesConfig, TierRule } from './devicesSchema.js';
export { targetConfigSchema } from './accessSchema.js';
export type { TargetConfig } from './accessSchema.js';
