-- The renderer's transactional outbox (service-common's Outbox / OutboxRelay, conflux.outbox.table): a render's
-- conflux.render-results record is inserted in the transaction that stores its bundle and render record, and the
-- relay publishes it once committed, so a render is never recorded ("settled") without being published.
CREATE TABLE IF NOT EXISTS renderer_outbox (
    id         BIGSERIAL PRIMARY KEY,
    topic      VARCHAR(255)  NOT NULL,
    record_key VARCHAR(1024) NOT NULL,
    value      TEXT          NOT NULL,
    created_at TIMESTAMPTZ   NOT NULL DEFAULT now()
);
