export { accountChangeChannel, accountVersionKey, announceAccountChange, readAccountVersion, parseAccountChange } from './account-events.js';
