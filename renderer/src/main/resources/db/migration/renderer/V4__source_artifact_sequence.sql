-- Monotonic revisions (#12): every new revision stored for a GitRepository takes the next number of one sequence, so
-- that for any source a later artifact has a higher number. A render carries the number of the artifact it rendered
-- (render_record.source_sequence, RenderResult.sourceSequence): for one generation of an object, the renderer never
-- publishes a lower number than one it published, and the applier never applies one.
CREATE SEQUENCE IF NOT EXISTS source_artifact_sequence;
ALTER TABLE source_artifact ADD COLUMN IF NOT EXISTS sequence BIGINT NOT NULL DEFAULT nextval('source_artifact_sequence');
-- The sequence number of the source artifact a render read; null when it read none (a chart from a HelmRepository,
-- a failure before any source).
ALTER TABLE render_record ADD COLUMN IF NOT EXISTS source_sequence BIGINT;
