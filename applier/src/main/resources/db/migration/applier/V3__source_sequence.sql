-- Monotonic revisions (issue #12): the renderer's sequence of the source artifact of the desired state, and of the one
-- applied last, so that for one generation a lower sequence (an older revision arriving late) is neither stored over a
-- higher one nor applied after it. Null where the source has no such order (HelmRepository charts, failures).
ALTER TABLE desired_state ADD COLUMN IF NOT EXISTS source_sequence BIGINT;
ALTER TABLE inventory ADD COLUMN IF NOT EXISTS applied_sequence BIGINT;
