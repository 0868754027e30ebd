/** The largest id of a table keyed by a PostgreSQL integer (accounts, queues, system addresses). */
export const MAX_ROW_ID = 2_147_483_647;

/** Whether `n` can be the id of such a row: a larger number would make PostgreSQL refuse the query. */
export function isRowId(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_ROW_ID;
}
