-- Per GitRepository, the last revision the receiver resolved and for which generation, and whether it reached
-- conflux.source-revisions (published_at is null between recording and the broker's acknowledgement).
CREATE TABLE IF NOT EXISTS source_state (
    source_key   VARCHAR(512) PRIMARY KEY,
    revision     VARCHAR(512) NOT NULL,
    generation   BIGINT       NOT NULL,
    trigger_type VARCHAR(16)  NOT NULL,
    delivery_id  VARCHAR(512),
    observed_at  TIMESTAMPTZ  NOT NULL,
    published_at TIMESTAMPTZ
);

-- Webhook deliveries already accepted, for idempotency: a delivery id (github:<X-GitHub-Delivery>,
-- gitlab:<X-Gitlab-Event-UUID>) or a request signature (generic-hmac:<sha256 of the signature>) is stored once.
CREATE TABLE IF NOT EXISTS webhook_delivery (
    delivery_key VARCHAR(600) PRIMARY KEY,
    receiver_key VARCHAR(512) NOT NULL,
    event        VARCHAR(128),
    outcome      TEXT,
    received_at  TIMESTAMPTZ  NOT NULL
);
CREATE INDEX IF NOT EXISTS webhook_delivery_received ON webhook_delivery (received_at);
