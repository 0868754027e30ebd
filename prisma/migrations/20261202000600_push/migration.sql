-- IMAP IDLE: an account with push is watched by one fetcher process, which asks for a fetch as
-- soon as the server announces new mail (the polling schedule stays as the safety net). IMAP only.
ALTER TABLE "mail_account" ADD COLUMN "push" BOOLEAN NOT NULL DEFAULT false;
ALTER TABLE "mail_account" ADD CONSTRAINT "mail_account_push_check"
  CHECK (NOT "push" OR "type" IN ('IMAP', 'IMAPS', 'IMAPTLS'));
CREATE INDEX "mail_account_push_idx" ON "mail_account"("id") WHERE "push";
