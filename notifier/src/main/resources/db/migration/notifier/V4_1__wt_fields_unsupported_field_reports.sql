-- Issue #13, "nothing ignored in silence": the notifier reports the spec fields of Flux objects that Conflux does not
-- act on as UnsupportedField Warning events on conflux.events, once per object generation. The last reported
-- generation (and uid, so a re-created object is reported again) of each object key; the event row goes through the
-- notifier's transactional outbox in the same transaction.
CREATE TABLE IF NOT EXISTS unsupported_field_report (
    object_key VARCHAR(1024) PRIMARY KEY,
    uid VARCHAR(64) NOT NULL,
    generation BIGINT NOT NULL,
    fields TEXT NOT NULL,
    reported_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS notifier_outbox (
    id BIGSERIAL PRIMARY KEY,
    topic VARCHAR(255) NOT NULL,
    record_key VARCHAR(1024) NOT NULL,
    value TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
