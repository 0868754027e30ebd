import { isRowId, MAX_ROW_ID } from '../db/row-id.js';
import { validationError, type FieldProblem } from '../errors/index.js';
import { CONTROL_CHARACTER, TEXT_CONTROL_CHARACTER } from '../text/index.js';

export const QUEUE_LIMITS = { name: 200, comment: 250, address: 200, displayName: 200 } as const;

export interface QueueInput {
  name: string;
  valid?: boolean;
  comment?: string | null;
}

export interface AddressInput {
  address: string;
  displayName?: string | null;
  queueId: number;
  valid?: boolean;
  comment?: string | null;
}

const EMAIL =
  /^[^\s@<>(),;:"[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** Check and normalise a queue (name trimmed). Throws VALIDATION_FAILED naming each bad field. */
export function normalizeQueue(input: QueueInput): Required<QueueInput> {
  const problems: FieldProblem[] = [];
  const name = typeof input.name === 'string' ? input.name.trim() : '';
  if (name === '') problems.push({ field: 'name', problem: 'is required' });
  else if (name.length > QUEUE_LIMITS.name)
    problems.push({ field: 'name', problem: `must be at most ${QUEUE_LIMITS.name} characters` });
  else if (CONTROL_CHARACTER.test(name))
    problems.push({ field: 'name', problem: 'must not contain control characters' });
  checkComment(input.comment, problems);
  if (problems.length > 0) throw validationError(problems);
  return { name, valid: input.valid ?? true, comment: emptyToNull(input.comment) };
}

/**
 * Check and normalise a system address: stored lower-case, so uniqueness and matching are
 * case-insensitive (OTOBO compares with LOWER()). Throws VALIDATION_FAILED.
 */
export function normalizeAddress(input: AddressInput): Required<AddressInput> {
  const problems: FieldProblem[] = [];
  const address = typeof input.address === 'string' ? input.address.trim().toLowerCase() : '';
  if (address === '') problems.push({ field: 'address', problem: 'is required' });
  else if (address.length > QUEUE_LIMITS.address)
    problems.push({ field: 'address', problem: `must be at most ${QUEUE_LIMITS.address} characters` });
  else if (!EMAIL.test(address) || CONTROL_CHARACTER.test(address))
    problems.push({ field: 'address', problem: 'must be an e-mail address such as support@example.com' });
  const displayName = emptyToNull(input.displayName);
  if (displayName !== null && (displayName.length > QUEUE_LIMITS.displayName || CONTROL_CHARACTER.test(displayName))) {
    problems.push({ field: 'displayName', problem: `must be text of at most ${QUEUE_LIMITS.displayName} characters` });
  }
  if (!isRowId(input.queueId))
    problems.push({ field: 'queueId', problem: `is required: the id of an existing queue (1 to ${MAX_ROW_ID})` });
  checkComment(input.comment, problems);
  if (problems.length > 0) throw validationError(problems);
  return {
    address,
    displayName,
    queueId: input.queueId,
    valid: input.valid ?? true,
    comment: emptyToNull(input.comment),
  };
}

function checkComment(comment: string | null | undefined, problems: FieldProblem[]): void {
  if (typeof comment === 'string' && comment.length > QUEUE_LIMITS.comment) {
    problems.push({ field: 'comment', problem: `must be at most ${QUEUE_LIMITS.comment} characters` });
  } else if (typeof comment === 'string' && TEXT_CONTROL_CHARACTER.test(comment)) {
    problems.push({ field: 'comment', problem: 'must not contain control characters' });
  }
}

function emptyToNull(v: string | null | undefined): string | null {
  return typeof v === 'string' && v.trim() !== '' ? v : null;
}
