/** The longest webhook URL taken (the column's size). */
export const WEBHOOK_URL_MAX = 2000;

/**
 * Why a webhook URL cannot be used, or null: an absolute https URL (http only where the operator
 * allows it, MAILDUCT_WEBHOOK_ALLOW_HTTP), without user name or password (they would be stored
 * and logged as part of the URL: a secret belongs in the signing secret) and without a fragment.
 * Where it may point (no private or metadata addresses) is checked at each delivery, on the
 * address the name resolves to then.
 */
export function webhookUrlProblem(raw: string, options: { allowHttp: boolean }): string | null {
  if (raw.length > WEBHOOK_URL_MAX) return `must be at most ${WEBHOOK_URL_MAX} characters`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'must be an absolute URL such as https://tickets.example.com/hooks/mailduct';
  }
  if (url.protocol === 'http:' && !options.allowHttp)
    return 'must use https (http only with MAILDUCT_WEBHOOK_ALLOW_HTTP=true)';
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'must be an https URL';
  if (url.username || url.password) return 'must not contain a user name or password (the signature authenticates)';
  if (url.hash) return 'must not have a #fragment';
  if (!url.hostname) return 'must name a host';
  return null;
}
