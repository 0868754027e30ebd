export { countersOfRun, DURATION_BUCKETS } from './fetch-counters.js';
export { renderFetchMetrics } from './prometheus-text.js';
export type { CounterRow, AccountGaugeRow } from './prometheus-text.js';
export { MetricRepository } from './metric-repository.js';
