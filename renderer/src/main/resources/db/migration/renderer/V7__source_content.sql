-- wt-oci (#13): the content of the last stored artifact of an OCIRepository or Bucket (a tar+gzip), so that every
-- renderer replica renders exactly the content the owner fetched: a Bucket's objects are mutable, and an OCI layer is
-- kept too so that a render needs no registry. One row per source object, replaced with each new artifact in the
-- transaction that updates its source_artifact row; deleted with the object.
CREATE TABLE IF NOT EXISTS source_content (
    kind VARCHAR(63) NOT NULL,
    namespace VARCHAR(253) NOT NULL,
    name VARCHAR(253) NOT NULL,
    revision TEXT NOT NULL,
    digest VARCHAR(80) NOT NULL,
    content BYTEA NOT NULL,
    PRIMARY KEY (kind, namespace, name)
);
