-- The receiver's transactional outbox (service-common Outbox/OutboxRelay): a SourceRevision is recorded here in the
-- same transaction as the source_state row it reports, and a webhook's SourceReconcileRequests in the same
-- transaction as its delivery claim; the relay of the replica owning each key publishes them and deletes the rows.
CREATE TABLE IF NOT EXISTS receiver_outbox (
    id         BIGSERIAL PRIMARY KEY,
    topic      VARCHAR(255)  NOT NULL,
    record_key VARCHAR(1024) NOT NULL,
    value      TEXT          NOT NULL,
    created_at TIMESTAMPTZ   NOT NULL DEFAULT now()
);
