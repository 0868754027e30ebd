import {
  AccountCreateSchema,
  AccountListQuerySchema,
  AccountPatchSchema,
  AccountViewSchema,
} from '@mailduct/core/accounts';
import { pageOf } from '../common-schemas.js';

// The account is defined once, in core (accounts/account-schema.ts); the API uses it as it is.
export const AccountCreate = AccountCreateSchema;
export const AccountPatch = AccountPatchSchema;
export const AccountView = AccountViewSchema;
export const AccountListQuery = AccountListQuerySchema;
export const AccountPage = pageOf(AccountViewSchema);
