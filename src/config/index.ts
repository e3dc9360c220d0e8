export { loadConfig } from './loadConfig.js';
export type { Config, LoadConfigOptions } from './loadConfig.js';
export { parseDurationSeconds } from './duration.js';
export { configSchema } from './schema.js';
