export { announceAccountChange, readAccountVersion, parseAccountChange } from './account-events.js';
