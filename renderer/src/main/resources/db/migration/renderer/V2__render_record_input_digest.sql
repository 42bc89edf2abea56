-- Inputs of a render that neither the generation nor the source revision capture: for a HelmRelease, the digest of
-- its merged values (valuesFrom ConfigMaps/Secrets can change on their own). Empty when there are none.
ALTER TABLE render_record ADD COLUMN IF NOT EXISTS input_digest VARCHAR(80) NOT NULL DEFAULT '';
