-- All services share one schema: give the notifier's delivery table a name no other service will want.
ALTER TABLE delivery RENAME TO notification_delivery;
ALTER INDEX IF EXISTS delivery_dedup RENAME TO notification_delivery_dedup;
ALTER INDEX IF EXISTS delivery_recent RENAME TO notification_delivery_recent;
