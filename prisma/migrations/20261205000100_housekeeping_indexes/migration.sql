-- The scheduler's housekeeping runs every minute, and its raw-mail expiry read the whole table
-- each time (bench/scale/housekeeping: about 0.15 s a run per million rows, forever growing).
-- This index holds only the rows still holding raw mail, by receipt (retention counts from
-- consumption, which comes after it), so an expiry reads the old ones among them: the rows it may
-- act on. It changes only when raw mail is written or expired, so the updates after the COPY
-- (enqueued, deleted on the server, consumed) stay heap-only (20261201000000, fillfactor 50).
CREATE INDEX "inbound_message_raw_held_idx" ON "inbound_message"("received_at")
  WHERE "raw" IS NOT NULL;
