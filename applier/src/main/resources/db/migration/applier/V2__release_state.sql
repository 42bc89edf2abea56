-- Per HelmRelease: helm-controller's failure counters for the current spec/chart/values (generation + bundle digest),
-- the last attempted action, and whether retries are exhausted (no further attempt until something changes).
CREATE TABLE IF NOT EXISTS release_state (
    object_key        VARCHAR(512) PRIMARY KEY,
    generation        BIGINT       NOT NULL,
    bundle_digest     VARCHAR(80),
    last_action       VARCHAR(16),
    failures          INTEGER      NOT NULL,
    install_failures  INTEGER      NOT NULL,
    upgrade_failures  INTEGER      NOT NULL,
    stalled           BOOLEAN      NOT NULL,
    updated_at        TIMESTAMPTZ  NOT NULL
);
