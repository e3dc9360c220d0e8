// Prometheus metrics: the registry and its sources, and the /metrics listener.
export { createMetrics } from './createMetrics.js';
export type { DecisionObserver, ExportStatus, Metrics, MetricsSources } from './createMetrics.js';
export { startMetricsServer } from './startMetricsServer.js';
export type { MetricsServer } from './startMetricsServer.js';
