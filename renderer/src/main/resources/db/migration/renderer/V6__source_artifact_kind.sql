-- Sources of every kind (#13): GitRepository, OCIRepository, Bucket, HelmChart, ExternalArtifact. A row is the last
-- artifact stored of one source object, keyed by its kind as well as namespace and name (a GitRepository and an
-- OCIRepository may share a name). Rows written before this migration are GitRepositories'.
ALTER TABLE source_artifact ADD COLUMN IF NOT EXISTS kind VARCHAR(63) NOT NULL DEFAULT 'GitRepository';
ALTER TABLE source_artifact DROP CONSTRAINT IF EXISTS source_artifact_pkey;
ALTER TABLE source_artifact ADD PRIMARY KEY (kind, namespace, name);
