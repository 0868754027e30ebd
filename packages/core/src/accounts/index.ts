export {
  ACCOUNT_TYPES,
  VALIDITIES,
  ACCOUNT_LIMITS,
  DEFAULT_PORTS,
  effectivePort,
  isImapType,
} from './account-types.js';
export type { AccountType, Validity, Dispatch, AccountInput, AccountPatch, AccountDraft } from './account-types.js';
export { draftFromInput, draftFromPatch, mailboxKey } from './account-rules.js';
export type { AccountDefaults } from './account-rules.js';
export { isHostName, normalHost } from './host-name.js';
export { accountWhere, ACCOUNT_ORDER } from './account-filter.js';
export type { AccountFilter } from './account-filter.js';
export {
  toAccountView,
  draftOfRow,
  dispatchOfRow,
  validityOfRow,
  validityToRow,
  VIEW_INCLUDE,
} from './account-view.js';
export type { AccountView, AccountStateView } from './account-view.js';
export {
  AFTER_FETCH_ACTIONS,
  INITIAL_IMPORTS,
  afterFetchOfRow,
  foldersOfRow,
  importCutoffOfRow,
} from './mailbox-policy.js';
export type { AfterFetchAction, InitialImport } from './mailbox-policy.js';
export { AccountService } from './account-service.js';
export { rotateSecretKeys } from './key-rotation.js';
export type { RotationResult } from './key-rotation.js';
export type { AccountChange, AccountServiceDeps } from './account-service.js';
export { AccountDirectory } from './account-directory.js';
export type { DirectorySource, DirectoryOptions } from './account-directory.js';
export { filterKey, matchEntries, searchEntries, searchTextOf } from './account-search.js';
export type { DirectoryEntry } from './account-search.js';
export { pgDirectorySource } from './directory-source.js';
export { AccountReadRepository } from './account-read-repository.js';
export {
  AccountCreateSchema,
  AccountPatchSchema,
  AccountViewSchema,
  AccountListQuerySchema,
} from './account-schema.js';
export type { AccountCreateBody, AccountPatchBody, AccountListQuery } from './account-schema.js';
