-- Rendered bundles, content-addressed (read by the applier).
CREATE TABLE IF NOT EXISTS bundle (
    digest       VARCHAR(80) PRIMARY KEY,
    content      TEXT        NOT NULL,
    object_count INTEGER     NOT NULL,
    created_at   TIMESTAMPTZ NOT NULL
);

-- Every render: the idempotency record (object, generation, revision, requestedAt) and history.
CREATE TABLE IF NOT EXISTS render_record (
    id              BIGSERIAL PRIMARY KEY,
    object_key      VARCHAR(512) NOT NULL,
    generation      BIGINT       NOT NULL,
    source_revision VARCHAR(512) NOT NULL,
    requested_at    VARCHAR(128) NOT NULL,
    bundle_digest   VARCHAR(80),
    reason          VARCHAR(64),
    error           TEXT,
    deterministic   BOOLEAN      NOT NULL,
    rendered_at     TIMESTAMPTZ  NOT NULL
);
CREATE INDEX IF NOT EXISTS render_record_input ON render_record (object_key, generation, source_revision, requested_at);
