-- Exactly one notification per (involved object, revision, reason, severity, message) and Alert: the identity is
-- NotificationEvent.identity (SHA-256 hex), which adds the severity to the duplicate key of earlier versions; rows of
-- earlier versions keep their key (a redelivery across the upgrade may be posted once more).
ALTER TABLE notification_delivery RENAME COLUMN event_key TO identity;
ALTER INDEX IF EXISTS notification_delivery_dedup RENAME TO notification_delivery_identity;
-- The instance (one per process start) that began a PENDING sending: another instance takes it over only after
-- conflux.notifier.pending-takeover without an update (a crash), never while it may be in flight there.
ALTER TABLE notification_delivery ADD COLUMN IF NOT EXISTS owner VARCHAR(64);
-- How many times the sending was begun again after an interruption whose outcome was never recorded: each may have
-- posted the notification twice (an at-least-once duplicate), counted by GET /api/deliveries/summary.
ALTER TABLE notification_delivery ADD COLUMN IF NOT EXISTS resends INTEGER NOT NULL DEFAULT 0;
