-- An early version stored a message first and dispatched it in a second step. A row it left
-- stored and never dispatched is quarantined with the reason, so it can be reprocessed from the
-- API or the UI (its raw bytes are kept). The fetch path no longer dispatches such rows itself.
UPDATE "inbound_message"
SET "status" = 'quarantined',
    "error" = 'stored by an early version of mailduct without a dispatch verdict: reprocess it to dispatch it'
WHERE "status" = 'stored';
