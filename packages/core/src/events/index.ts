export {
  accountChangeChannel,
  accountVersionKey,
  announceAccountChange,
  readAccountVersion,
  parseAccountChange,
  lockSkipsKey,
} from './account-events.js';
