-- Keeping mail on the server. An account chooses what happens to a message once it is stored and
-- its ticket job is in Redis (after_fetch), may read several IMAP folders (imap_folders, the first
-- one is imap_folder, which the unique mailbox key covers), and leaves old mail alone when it is
-- added (initial_import). Every stored message records where it came from, and that server
-- identity is its de-duplication key (source, unique per account): IMAP folder, UIDVALIDITY and
-- UID, or the POP3 UIDL. The content hash remains the key for a POP3 server without UIDL.
ALTER TABLE "mail_account" ADD COLUMN "after_fetch" VARCHAR(10) NOT NULL DEFAULT 'delete';
ALTER TABLE "mail_account" ADD COLUMN "move_to_folder" VARCHAR(250);
ALTER TABLE "mail_account" ADD COLUMN "imap_folders" VARCHAR(250)[] NOT NULL DEFAULT ARRAY[]::VARCHAR(250)[];
ALTER TABLE "mail_account" ADD COLUMN "initial_import" VARCHAR(10) NOT NULL DEFAULT 'all';
ALTER TABLE "mail_account" ADD COLUMN "import_since" TIMESTAMP(3);
UPDATE "mail_account" SET "imap_folders" = ARRAY["imap_folder"] WHERE "imap_folder" IS NOT NULL;
ALTER TABLE "mail_account" ADD CONSTRAINT "mail_account_after_fetch_check"
  CHECK ("after_fetch" IN ('delete', 'markSeen', 'moveTo', 'keep') AND (("after_fetch" = 'moveTo') = ("move_to_folder" IS NOT NULL)));
ALTER TABLE "mail_account" ADD CONSTRAINT "mail_account_initial_import_check"
  CHECK ("initial_import" IN ('all', 'none', 'since') AND (("initial_import" = 'since') = ("import_since" IS NOT NULL)));

ALTER TABLE "inbound_message" ADD COLUMN "folder" VARCHAR(250);
ALTER TABLE "inbound_message" ADD COLUMN "uid_validity" BIGINT;
ALTER TABLE "inbound_message" ADD COLUMN "internal_date" TIMESTAMP(3);
ALTER TABLE "inbound_message" ADD COLUMN "source" VARCHAR(600);
ALTER TABLE "inbound_message" ADD COLUMN "server_action" VARCHAR(10);

-- Rows stored before: a POP3 UIDL is their identity where no other row of the account has it (a
-- server that gave one UIDL to two messages identified neither). An IMAP row stored before has no
-- UIDVALIDITY: the next run that downloads it again recognises it by its bytes and UID, as before,
-- and records its identity then. Rows whose message was deleted on the server were deleted.
UPDATE "inbound_message" m SET "source" = 'pop3:' || m."remote_id", "server_action" = CASE WHEN m."deleted_on_server_at" IS NULL THEN NULL ELSE 'deleted' END
  FROM (SELECT i."id", count(*) OVER (PARTITION BY i."account_id", i."remote_id") AS n
        FROM "inbound_message" i JOIN "mail_account" a ON a."id" = i."account_id"
        WHERE a."type" IN ('POP3', 'POP3S', 'POP3TLS') AND i."remote_id" IS NOT NULL AND i."remote_id" NOT LIKE '#%') u
  WHERE m."id" = u."id" AND u.n = 1;
UPDATE "inbound_message" SET "server_action" = 'deleted' WHERE "deleted_on_server_at" IS NOT NULL AND "server_action" IS NULL;
CREATE UNIQUE INDEX "inbound_message_account_id_source_key" ON "inbound_message"("account_id", "source");

-- How far an account has read an IMAP folder: every message up to last_uid under uid_validity is
-- handled (stored and acted on, or left out on purpose). Messages up to import_until_uid were
-- there when the folder was first read (or read again after a UIDVALIDITY change): the initial
-- import decides which of them are fetched. folder is empty for a POP3 maildrop, whose row only
-- records that its initial import was decided.
CREATE TABLE "folder_cursor" (
    "account_id" INTEGER NOT NULL,
    "folder" VARCHAR(250) NOT NULL,
    "uid_validity" BIGINT,
    "last_uid" BIGINT NOT NULL DEFAULT 0,
    "import_until_uid" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "folder_cursor_pkey" PRIMARY KEY ("account_id", "folder")
);
ALTER TABLE "folder_cursor" ADD CONSTRAINT "folder_cursor_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "mail_account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The UIDLs of a POP3 maildrop that stay on the server and are handled: kept after storing, or
-- left out by the initial import. Forgotten once the server no longer lists them.
CREATE TABLE "pop3_seen_uidl" (
    "account_id" INTEGER NOT NULL,
    "uidl" VARCHAR(200) NOT NULL,
    "seen_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "pop3_seen_uidl_pkey" PRIMARY KEY ("account_id", "uidl")
);
ALTER TABLE "pop3_seen_uidl" ADD CONSTRAINT "pop3_seen_uidl_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "mail_account"("id") ON DELETE CASCADE ON UPDATE CASCADE;
