export { countersOfRun, DURATION_BUCKETS } from './fetch-counters.js';
export { renderFetchMetrics } from './prometheus-text.js';
export type { AccountGaugeRow, AccountTotals, CounterRow } from './prometheus-text.js';
export { MetricRepository, PER_ACCOUNT_UP_TO } from './metric-repository.js';
export type { PerAccountMode } from './metric-repository.js';
