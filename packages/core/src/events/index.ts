export { accountChangeChannel, publishAccountChange, parseAccountChange } from './account-events.js';
