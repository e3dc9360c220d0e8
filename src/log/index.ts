export { createLogger, REDACT_PATHS } from './createLogger.js';
export type { Logger } from './createLogger.js';
