/** The CLI's help text. */
export const USAGE = `Usage: mailduct <command> [options]

Commands:
  start [--api] [--scheduler] [--fetcher] [--webhooks]
                         run the given components (no flag: all four in one process)
  migrate                create the database if missing and apply migrations
  fetch [--account-id N] [--limit N] [--debug] [--timeout SECONDS] [--force]
                         fetch mail now (OTOBO's Maint::PostMaster::MailAccountFetch)
  token create --name NAME [--role admin|read-only]
                         create an API token and print it once (read-only: it may
                         read everything and change, test or fetch nothing)
  token revoke --name NAME
                         revoke an API token
  keys rotate            re-encrypt every stored secret (passwords, OAuth2 client
                         secrets and tokens) with MAILDUCT_SECRET_KEY
  oauth2 authorize --account-id N [--device]
                         sign an OAuth2 account in: a device code to enter, or a URL
                         to open in a browser signed in to the admin UI
  help                   show this text

Configuration comes from the environment (and .env): DATABASE_URL, REDIS_URL, PORT,
MAILDUCT_SECRET_KEY, MAILDUCT_ADMIN_TOKEN, LOG_LEVEL, ... (see README.md).`;

/** A mistake in how the CLI was called: printed with the usage, exit code 2. */
export class UsageError extends Error {}
