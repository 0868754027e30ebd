-- One account per mailbox, enforced by the database (parallel creates passed the look-up before).
-- mailbox_key is what mailboxKey() in packages/core/src/accounts/account-rules.ts computes (a test
-- checks both agree): the protocol family, the host in lower case without trailing dots, the port
-- ("std" for the standard ports of the family), the user name in lower case and the folder (INBOX
-- in any case is INBOX), joined by line feeds. A generated column, so every writer gets it.
-- (Prisma splits this file at every semicolon, in comments and quotes too, and reads an
-- apostrophe in a comment as a quote: hence no PL/pgSQL here.)
CREATE FUNCTION mailduct_mailbox_key(t "AccountType", host TEXT, port INT, username TEXT, folder TEXT) RETURNS TEXT
LANGUAGE sql IMMUTABLE AS $$
  SELECT concat_ws(chr(10),
    CASE WHEN t IN ('IMAP', 'IMAPS', 'IMAPTLS') THEN 'imap' ELSE 'pop3' END,
    rtrim(lower(host), '.'),
    CASE WHEN port IS NULL
           OR (t IN ('IMAP', 'IMAPS', 'IMAPTLS') AND port IN (143, 993))
           OR (t IN ('POP3', 'POP3S', 'POP3TLS') AND port IN (110, 995)) THEN 'std' ELSE port::text END,
    lower(username),
    CASE WHEN t NOT IN ('IMAP', 'IMAPS', 'IMAPTLS') THEN ''
         WHEN upper(coalesce(folder, 'INBOX')) = 'INBOX' THEN 'INBOX' ELSE folder END)
$$;

ALTER TABLE "mail_account" ADD COLUMN "mailbox_key" VARCHAR(700)
  GENERATED ALWAYS AS (mailduct_mailbox_key("type", "host", "port", "username", "imap_folder")) STORED;
-- Accounts that already read the same mailbox keep working (the oldest one is unique, the others
-- are marked until their connection settings change). A new duplicate is refused.
ALTER TABLE "mail_account" ADD COLUMN "legacy_duplicate" BOOLEAN NOT NULL DEFAULT false;
UPDATE "mail_account" m SET "legacy_duplicate" = true
  WHERE EXISTS (SELECT 1 FROM "mail_account" o WHERE o."mailbox_key" = m."mailbox_key" AND o."id" < m."id");
CREATE UNIQUE INDEX "mail_account_mailbox_key_key" ON "mail_account"("mailbox_key") WHERE NOT "legacy_duplicate";
