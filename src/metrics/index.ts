export { Metrics } from './metrics.js';
export type { JobCount, MetricsSources, PoolStats } from './metrics.js';
