-- A stored mail's row is updated right after it is written (enqueued_at, then deleted_on_server_at),
-- again when its ticket is consumed (consumed_at) and when its raw bytes expire (raw = NULL). None of
-- those columns is indexed, so each update can be heap-only (HOT): the new row version goes on the
-- same page and no index changes. That needs room on the page, and the batch COPY packs pages full:
-- without it every one of those updates adds an entry to each of the table's five indexes.
-- Half-full pages keep them HOT (docs/BENCHMARKS.md: PostgreSQL's CPU per 10 KiB mail, ~100 → ~65 µs).
-- Applies to pages written from now on: existing pages are not rewritten.
ALTER TABLE "inbound_message" SET (fillfactor = 50);
