-- Latest render result per object (the desired state), applied when dependencies allow.
CREATE TABLE IF NOT EXISTS desired_state (
    object_key      VARCHAR(512) PRIMARY KEY,
    generation      BIGINT       NOT NULL,
    source_revision VARCHAR(512),
    bundle_digest   VARCHAR(80),
    object_count    INTEGER,
    reason          VARCHAR(64),
    error           TEXT,
    updated_at      TIMESTAMPTZ  NOT NULL
);

-- What each object applied last (Flux inventory entries as JSON), for pruning and no-op detection.
CREATE TABLE IF NOT EXISTS inventory (
    object_key         VARCHAR(512) PRIMARY KEY,
    entries            TEXT         NOT NULL,
    applied_digest     VARCHAR(80),
    applied_generation BIGINT       NOT NULL,
    applied_revision   VARCHAR(512),
    updated_at         TIMESTAMPTZ  NOT NULL
);

-- Every reconciliation attempt.
CREATE TABLE IF NOT EXISTS reconcile_history (
    id              BIGSERIAL PRIMARY KEY,
    object_key      VARCHAR(512) NOT NULL,
    generation      BIGINT       NOT NULL,
    source_revision VARCHAR(512),
    bundle_digest   VARCHAR(80),
    reason          VARCHAR(64)  NOT NULL,
    ready           BOOLEAN      NOT NULL,
    message         TEXT,
    created         INTEGER      NOT NULL,
    configured      INTEGER      NOT NULL,
    deleted         INTEGER      NOT NULL,
    duration_ms     BIGINT       NOT NULL,
    started_at      TIMESTAMPTZ  NOT NULL
);
CREATE INDEX IF NOT EXISTS reconcile_history_object ON reconcile_history (object_key, started_at DESC);
