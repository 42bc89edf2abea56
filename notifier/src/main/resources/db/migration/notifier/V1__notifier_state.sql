-- Events as received from conflux.events (for `conflux events`); one row per Kafka record.
CREATE TABLE IF NOT EXISTS received_event (
    id                   BIGSERIAL PRIMARY KEY,
    kafka_partition      INTEGER      NOT NULL,
    kafka_offset         BIGINT       NOT NULL,
    object_key           VARCHAR(512) NOT NULL,
    severity             VARCHAR(16),
    reason               VARCHAR(128),
    message              TEXT,
    revision             VARCHAR(512),
    reporting_controller VARCHAR(128),
    event_timestamp      VARCHAR(64),
    metadata             TEXT,
    received_at          TIMESTAMPTZ  NOT NULL,
    CONSTRAINT received_event_record UNIQUE (kafka_partition, kafka_offset)
);
CREATE INDEX IF NOT EXISTS received_event_recent ON received_event (received_at DESC);

-- One row per (event, Alert) sent to a Provider: its state, attempts and last error.
-- status: PENDING (being sent, or interrupted by a crash), SENT, FAILED (retries exhausted, event in the DLQ),
-- DUPLICATE (same event within the duplicate window, not sent again), DROPPED (the provider type does not send it).
CREATE TABLE IF NOT EXISTS delivery (
    id              BIGSERIAL PRIMARY KEY,
    event_key       VARCHAR(64)  NOT NULL,
    object_key      VARCHAR(512) NOT NULL,
    reason          VARCHAR(128),
    message         TEXT,
    revision        VARCHAR(512),
    alert           VARCHAR(512) NOT NULL,
    provider        VARCHAR(512) NOT NULL,
    provider_type   VARCHAR(64),
    status          VARCHAR(16)  NOT NULL,
    attempts        INTEGER      NOT NULL,
    last_status     INTEGER,
    last_error      TEXT,
    created_at      TIMESTAMPTZ  NOT NULL,
    updated_at      TIMESTAMPTZ  NOT NULL
);
CREATE INDEX IF NOT EXISTS delivery_dedup ON delivery (event_key, alert, created_at DESC);
CREATE INDEX IF NOT EXISTS delivery_recent ON delivery (updated_at DESC);
