-- A second genuine delivery of the same bytes is a new message: content is de-duplicated only
-- against rows not yet deleted on the server (a re-download after a crash). "delivery" numbers the
-- rows of one account holding the same bytes (0 for the first), so the unique key stays on columns
-- no update touches and the updates after the COPY stay heap-only (a partial index on
-- deleted_on_server_at would make that column indexed).
ALTER TABLE "inbound_message" ADD COLUMN "delivery" SMALLINT NOT NULL DEFAULT 0;
DROP INDEX "inbound_message_account_id_sha256_key";
CREATE UNIQUE INDEX "inbound_message_account_id_sha256_delivery_key" ON "inbound_message"("account_id", "sha256", "delivery");

-- What a run left undone and why (messages left flagged, repeated UIDLs, larger than listed).
ALTER TABLE "fetch_run" ADD COLUMN "warnings" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
