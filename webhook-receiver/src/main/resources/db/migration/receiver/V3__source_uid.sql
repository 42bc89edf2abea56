-- The GitRepository's metadata.uid the state belongs to: a source deleted and created again under the same name
-- starts over at generation 1 and must be published again even when its revision did not change.
ALTER TABLE source_state ADD COLUMN IF NOT EXISTS source_uid VARCHAR(64);
