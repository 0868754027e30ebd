-- Account health events to tell the operator by e-mail, digested per account.
CREATE TABLE "account_notification" (
    "id" BIGSERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "event_id" VARCHAR(120) NOT NULL,
    "event_type" VARCHAR(60) NOT NULL,
    "data" JSONB NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "sent_at" TIMESTAMP(3),
    CONSTRAINT "account_notification_pkey" PRIMARY KEY ("id")
);
CREATE UNIQUE INDEX "account_notification_event_id_key" ON "account_notification"("event_id");
CREATE INDEX "account_notification_account_id_sent_at_idx" ON "account_notification"("account_id", "sent_at");
ALTER TABLE "account_notification" ADD CONSTRAINT "account_notification_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "mail_account"("id") ON DELETE CASCADE ON UPDATE CASCADE;
