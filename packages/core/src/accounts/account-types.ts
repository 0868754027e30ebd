import type { AccountCreateBody } from './account-schema.js';
import type { AfterFetchAction, InitialImport } from './mailbox-policy.js';

/** The six OTOBO mail account types. */
export const ACCOUNT_TYPES = ['IMAP', 'IMAPS', 'IMAPTLS', 'POP3', 'POP3S', 'POP3TLS'] as const;
export type AccountType = (typeof ACCOUNT_TYPES)[number];

/** OTOBO validity: only `valid` accounts are fetched on schedule. */
export const VALIDITIES = ['valid', 'invalid', 'invalid-temporarily'] as const;
export type Validity = (typeof VALIDITIES)[number];

/** Dispatching: by the recipient headers ("To:") via system addresses, or into one queue. */
export type Dispatch = { by: 'to' } | { by: 'queue'; queueId: number };

/** Field limits, shared by the core rules and the API schemas (OTOBO column sizes). */
export const ACCOUNT_LIMITS = {
  username: 200,
  password: 200,
  host: 200,
  imapFolder: 250,
  /** Folders one account may read. */
  imapFolders: 20,
  comment: 250,
  pollIntervalMin: 30,
  pollIntervalMax: 7 * 24 * 3600,
} as const;

/** Default ports: implicit TLS on 993/995, plain and STARTTLS/STLS on 143/110. */
export const DEFAULT_PORTS: Record<AccountType, number> = {
  IMAP: 143,
  IMAPS: 993,
  IMAPTLS: 143,
  POP3: 110,
  POP3S: 995,
  POP3TLS: 110,
};

/** The port an account connects to: its own, or its type's default. */
export function effectivePort(type: AccountType, port: number | null | undefined): number {
  return port ?? DEFAULT_PORTS[type];
}

/** True for the types that read an IMAP folder. */
export function isImapType(type: AccountType): boolean {
  return type.startsWith('IMAP');
}

/** What a client sends to create an account (AccountCreateSchema; dispatch is checked in account-rules). */
export type AccountInput = AccountCreateBody;

/** A partial update; an omitted password keeps the stored one (OTOBO's placeholder). */
export type AccountPatch = Partial<AccountInput>;

/** How an account signs in: with its password, or with an OAuth2 token of a provider. */
export type AccountAuth = { method: 'password' } | { method: 'oauth2'; providerId: number; delegate: boolean };

/** A complete, normalised account as it will be stored (password still in plain text here). */
export interface AccountDraft {
  type: AccountType;
  host: string;
  port: number | null;
  username: string;
  password: string | undefined;
  auth: AccountAuth;
  /** The first of imapFolders; null for POP3. */
  imapFolder: string | null;
  /** Every IMAP folder read, in order; empty for POP3. */
  imapFolders: string[];
  afterFetch: AfterFetchAction;
  /** The folder of afterFetch moveTo, else null. */
  moveToFolder: string | null;
  initialImport: InitialImport;
  /** ISO date-time of initialImport since, else null. */
  importSince: string | null;
  /** IMAP IDLE: fetch as soon as the server announces new mail. */
  push: boolean;
  trusted: boolean;
  dispatch: Dispatch;
  validity: Validity;
  comment: string | null;
  tlsVerify: boolean;
  pollIntervalSeconds: number;
}
