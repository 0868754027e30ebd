-- CreateEnum
CREATE TYPE "AccountType" AS ENUM ('IMAP', 'IMAPS', 'IMAPTLS', 'POP3', 'POP3S', 'POP3TLS');

-- CreateEnum
CREATE TYPE "Validity" AS ENUM ('valid', 'invalid', 'invalid-temporarily');

-- CreateEnum
CREATE TYPE "DispatchBy" AS ENUM ('to', 'queue');

-- CreateEnum
CREATE TYPE "MessageStatus" AS ENUM ('stored', 'dispatched', 'ignored', 'quarantined');

-- CreateTable
CREATE TABLE "queue" (
    "id" SERIAL NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "valid" BOOLEAN NOT NULL DEFAULT true,
    "comment" VARCHAR(250),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "queue_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "system_address" (
    "id" SERIAL NOT NULL,
    "address" VARCHAR(200) NOT NULL,
    "display_name" VARCHAR(200),
    "queue_id" INTEGER NOT NULL,
    "valid" BOOLEAN NOT NULL DEFAULT true,
    "comment" VARCHAR(250),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "system_address_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "mail_account" (
    "id" SERIAL NOT NULL,
    "type" "AccountType" NOT NULL,
    "host" VARCHAR(200) NOT NULL,
    "port" INTEGER,
    "username" VARCHAR(200) NOT NULL,
    "password_enc" TEXT NOT NULL,
    "imap_folder" VARCHAR(250),
    "trusted" BOOLEAN NOT NULL DEFAULT false,
    "dispatch_by" "DispatchBy" NOT NULL DEFAULT 'to',
    "queue_id" INTEGER,
    "validity" "Validity" NOT NULL DEFAULT 'valid',
    "comment" VARCHAR(250),
    "tls_verify" BOOLEAN NOT NULL DEFAULT true,
    "poll_interval_seconds" INTEGER NOT NULL DEFAULT 600,
    "last_run_at" TIMESTAMP(3),
    "last_success_at" TIMESTAMP(3),
    "last_error_class" VARCHAR(40),
    "last_error_message" VARCHAR(1000),
    "consecutive_failures" INTEGER NOT NULL DEFAULT 0,
    "consecutive_auth_failures" INTEGER NOT NULL DEFAULT 0,
    "oversized_count" INTEGER NOT NULL DEFAULT 0,
    "backoff_until" TIMESTAMP(3),
    "parked_reason" VARCHAR(500),
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "created_by" VARCHAR(200),
    "updated_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_by" VARCHAR(200),

    CONSTRAINT "mail_account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "inbound_message" (
    "id" BIGSERIAL NOT NULL,
    "account_id" INTEGER,
    "sha256" CHAR(64) NOT NULL,
    "size" INTEGER NOT NULL,
    "raw" BYTEA,
    "remote_id" VARCHAR(200),
    "message_id_header" VARCHAR(1000),
    "subject" VARCHAR(1000),
    "from_address" VARCHAR(500),
    "status" "MessageStatus" NOT NULL DEFAULT 'stored',
    "queue_id" INTEGER,
    "dispatch" JSONB,
    "attributes" JSONB,
    "headers" JSONB,
    "parsed" JSONB,
    "error" VARCHAR(2000),
    "received_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "dispatched_at" TIMESTAMP(3),
    "enqueued_at" TIMESTAMP(3),
    "consumed_at" TIMESTAMP(3),
    "deleted_on_server_at" TIMESTAMP(3),

    CONSTRAINT "inbound_message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "fetch_run" (
    "id" BIGSERIAL NOT NULL,
    "account_id" INTEGER NOT NULL,
    "trigger" VARCHAR(20) NOT NULL,
    "worker" VARCHAR(200),
    "outcome" VARCHAR(20) NOT NULL DEFAULT 'running',
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finished_at" TIMESTAMP(3),
    "fetched" INTEGER NOT NULL DEFAULT 0,
    "duplicates" INTEGER NOT NULL DEFAULT 0,
    "dispatched" INTEGER NOT NULL DEFAULT 0,
    "ignored" INTEGER NOT NULL DEFAULT 0,
    "quarantined" INTEGER NOT NULL DEFAULT 0,
    "oversized" INTEGER NOT NULL DEFAULT 0,
    "bytes" BIGINT NOT NULL DEFAULT 0,
    "error_class" VARCHAR(40),
    "error_message" VARCHAR(1000),

    CONSTRAINT "fetch_run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_token" (
    "id" SERIAL NOT NULL,
    "name" VARCHAR(200) NOT NULL,
    "token_hash" CHAR(64) NOT NULL,
    "created_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_used_at" TIMESTAMP(3),
    "revoked_at" TIMESTAMP(3),

    CONSTRAINT "api_token_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_event" (
    "id" SERIAL NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor" VARCHAR(200) NOT NULL,
    "action" VARCHAR(40) NOT NULL,
    "entity" VARCHAR(40) NOT NULL,
    "entity_id" VARCHAR(40) NOT NULL,
    "changes" JSONB,

    CONSTRAINT "audit_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "fetch_counter" (
    "account_id" INTEGER NOT NULL,
    "name" VARCHAR(60) NOT NULL,
    "value" BIGINT NOT NULL DEFAULT 0,

    CONSTRAINT "fetch_counter_pkey" PRIMARY KEY ("account_id","name")
);

-- CreateIndex
CREATE UNIQUE INDEX "queue_name_key" ON "queue"("name");

-- CreateIndex
CREATE UNIQUE INDEX "system_address_address_key" ON "system_address"("address");

-- CreateIndex
CREATE INDEX "mail_account_host_username_idx" ON "mail_account"("host", "username");

-- CreateIndex
CREATE INDEX "mail_account_validity_idx" ON "mail_account"("validity");

-- CreateIndex
CREATE INDEX "inbound_message_status_idx" ON "inbound_message"("status");

-- CreateIndex
CREATE INDEX "inbound_message_queue_id_idx" ON "inbound_message"("queue_id");

-- CreateIndex
CREATE INDEX "inbound_message_received_at_idx" ON "inbound_message"("received_at");

-- CreateIndex
CREATE UNIQUE INDEX "inbound_message_account_id_sha256_key" ON "inbound_message"("account_id", "sha256");

-- CreateIndex
CREATE INDEX "fetch_run_account_id_started_at_idx" ON "fetch_run"("account_id", "started_at");

-- CreateIndex
CREATE UNIQUE INDEX "api_token_name_key" ON "api_token"("name");

-- CreateIndex
CREATE UNIQUE INDEX "api_token_token_hash_key" ON "api_token"("token_hash");

-- CreateIndex
CREATE INDEX "audit_event_entity_entity_id_idx" ON "audit_event"("entity", "entity_id");

-- AddForeignKey
ALTER TABLE "system_address" ADD CONSTRAINT "system_address_queue_id_fkey" FOREIGN KEY ("queue_id") REFERENCES "queue"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "mail_account" ADD CONSTRAINT "mail_account_queue_id_fkey" FOREIGN KEY ("queue_id") REFERENCES "queue"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbound_message" ADD CONSTRAINT "inbound_message_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "mail_account"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "inbound_message" ADD CONSTRAINT "inbound_message_queue_id_fkey" FOREIGN KEY ("queue_id") REFERENCES "queue"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "fetch_run" ADD CONSTRAINT "fetch_run_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "mail_account"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Raw mail: lz4 TOAST compression instead of the default pglz, the largest PostgreSQL cost on the
-- hot path (docs/ARCHITECTURE.md, "The hot path"). Needs PostgreSQL >= 14 built with lz4 (Debian, the official images).
ALTER TABLE "inbound_message" ALTER COLUMN "raw" SET COMPRESSION lz4;

-- OTOBO's initial queues (otobo-initial_insert.xml): 1 Postmaster, 2 Raw, 3 Junk, 4 Misc.
INSERT INTO "queue" ("name", "comment") VALUES
  ('Postmaster', 'Postmaster queue.'),
  ('Raw', 'All default incoming tickets.'),
  ('Junk', 'All junk tickets.'),
  ('Misc', 'All misc tickets.');
