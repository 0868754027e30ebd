-- The scheduler's housekeeping runs every minute. Without these indexes its outbox sweep and its
-- raw-mail expiry read the whole table each time (bench/scale/housekeeping: about 0.5 s a run per
-- million rows, every minute, forever growing). Each index below holds only the rows still
-- waiting for that step, so a run reads what it may act on and nothing it has settled.

-- The outbox: dispatched tickets not yet seen consumed.
CREATE INDEX "inbound_message_unconsumed_idx" ON "inbound_message"("id")
  WHERE "status" = 'dispatched' AND "consumed_at" IS NULL;

-- Raw mail not yet expired, by receipt (retention counts from consumption, which comes after it).
CREATE INDEX "inbound_message_raw_held_idx" ON "inbound_message"("received_at")
  WHERE "raw" IS NOT NULL;

-- Rows of mail gone from the server (deleted or moved after fetch), for MAILDUCT_MESSAGE_LOG_DAYS;
-- the rows of mail kept on the server, which stay, are not in it.
CREATE INDEX "inbound_message_gone_idx" ON "inbound_message"("received_at")
  WHERE "deleted_on_server_at" IS NOT NULL;
