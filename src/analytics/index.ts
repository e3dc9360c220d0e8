// Behavioural analytics: baselines over the audit stream, outlier alerts, risk scores.
export { createAnalytics } from './createAnalytics.js';
export type { Analytics, AnalyticsOptions } from './createAnalytics.js';
export { createDetectors, DEFAULT_DETECTOR_SETTINGS } from './createDetectors.js';
export type { Detectors, DetectorSettings } from './createDetectors.js';
export { toActivity, networkOf } from './toActivity.js';
export { analyticsRoutes } from './routes.js';
export { ALERT_KINDS } from './types.js';
export type { Activity, AlertKind, Detection, Explanation, PrincipalInfo } from './types.js';
export { startMonitoring } from './startMonitoring.js';
export type { Monitoring } from './startMonitoring.js';
