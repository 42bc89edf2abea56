-- The revisions of the GitRepositories that a Kustomization's source includes (GitRepository.spec.include), as
-- "<name>=<revision>" joined by ",": part of a render's input, so that a new revision of an included repository
-- renders again at the same revision of the including one (Flux: the including artifact changes).
ALTER TABLE render_record ADD COLUMN IF NOT EXISTS included_revisions TEXT NOT NULL DEFAULT '';
