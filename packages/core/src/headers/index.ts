export { headerBounds, headerSection, parseHeaderFields } from './header-block.js';
export type { HeaderField } from './header-block.js';
export { MessageHeaders } from './message-headers.js';
export { mailboxesIn, addressesOf } from './addresses.js';
export type { Mailbox } from './addresses.js';
export { decodeWords } from './decode.js';
export { summarizeHeaders, messageIdsIn } from './header-summary.js';
export type { HeaderSummary } from './header-summary.js';
