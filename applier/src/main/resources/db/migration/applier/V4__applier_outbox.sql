-- Transactional outbox (service-common's Outbox/OutboxRelay, issue #12): the events of an attempt are inserted in the
-- transaction that records its history and inventory, and published to conflux.events by the relay after the commit.
CREATE TABLE IF NOT EXISTS applier_outbox (
    id          BIGSERIAL PRIMARY KEY,
    topic       VARCHAR(255)  NOT NULL,
    record_key  VARCHAR(1024) NOT NULL,
    value       TEXT          NOT NULL,
    created_at  TIMESTAMPTZ   NOT NULL DEFAULT now()
);
