-- The last artifact fetched of each GitRepository: what Flux's source-controller keeps serving (it stores the
-- artifact) while later revisions cannot be fetched. Written after each successful fetch, read when a fetch fails, so
-- that a restarted renderer still knows it after the receiver has cleared the digest in the status.
CREATE TABLE IF NOT EXISTS source_artifact (
    namespace        VARCHAR(253) NOT NULL,
    name             VARCHAR(253) NOT NULL,
    revision         VARCHAR(512) NOT NULL,
    digest           VARCHAR(80),
    url              TEXT         NOT NULL,
    -- RFC 3339, exactly as written to status.artifact.lastUpdateTime
    last_update_time VARCHAR(64)  NOT NULL,
    PRIMARY KEY (namespace, name)
);
