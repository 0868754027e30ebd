import type { MessageHeaders } from '../headers/index.js';

/** Whether the ticket system should suppress auto-responses, and why. */
export interface LoopFlags {
  loop: boolean;
  reasons: string[];
}

/**
 * OTOBO's X-OTOBO-Loop computation (§5 step 3): a loop when Mailing-List, Precedence, X-Loop or
 * X-No-Loop is present, when Auto-Submitted starts with "auto-", or (trusted only) when the
 * mail carries X-OTOBO-Loop itself.
 */
export function computeLoopFlags(h: MessageHeaders, trustedLoopHeader: string | undefined): LoopFlags {
  const reasons: string[] = [];
  for (const name of ['Mailing-List', 'Precedence', 'X-Loop', 'X-No-Loop']) if (h.has(name)) reasons.push(name);
  if (/^\s*auto-/i.test(h.first('auto-submitted') ?? '')) reasons.push('Auto-Submitted');
  if (trustedLoopHeader !== undefined && !/^\s*(no|false)\s*$/i.test(trustedLoopHeader)) reasons.push('X-OTOBO-Loop');
  return { loop: reasons.length > 0, reasons };
}
