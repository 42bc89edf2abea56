-- #14 (wt-obs): the W3C traceparent of the span that added the row (service-common Outbox), sent as the Kafka
-- record's traceparent header by the relay, so one push is one trace across services. Null when tracing is off.
ALTER TABLE notifier_outbox ADD COLUMN trace_context VARCHAR(512);
