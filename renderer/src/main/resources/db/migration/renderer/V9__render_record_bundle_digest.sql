-- The bundle prune's lookup of the objects that rendered a bundle (BundleStore.prune): without it each render's prune
-- read every render record, O(N) per render and O(N²) for N objects.
CREATE INDEX IF NOT EXISTS render_record_bundle ON render_record (bundle_digest);
