-- The delivery sweep looks for deliveries still pending or retrying whose job may be lost.
CREATE INDEX "webhook_delivery_status_next_attempt_at_idx" ON "webhook_delivery"("status", "next_attempt_at");
