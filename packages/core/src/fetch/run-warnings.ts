import type { FetchCounts } from './fetch-session.js';

/** Add a warning to the run once. */
export function warn(counts: FetchCounts, text: string): void {
  if (!counts.warnings.includes(text)) counts.warnings.push(text);
}
