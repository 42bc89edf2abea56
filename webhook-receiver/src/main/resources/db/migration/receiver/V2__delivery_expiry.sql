-- Signature keys (replay protection) expire after conflux.receiver.replay-window; delivery ids never do (NULL).
ALTER TABLE webhook_delivery ADD COLUMN IF NOT EXISTS expires_at TIMESTAMPTZ;
CREATE INDEX IF NOT EXISTS webhook_delivery_expires ON webhook_delivery (expires_at) WHERE expires_at IS NOT NULL;
