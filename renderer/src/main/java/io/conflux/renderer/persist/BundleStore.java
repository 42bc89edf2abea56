package io.conflux.renderer.persist;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.service.BundleCipher;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.annotation.PostConstruct;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Writes rendered bundles to the {@code bundle} table and forgets old ones.
 *
 * <p><b>At rest.</b> With {@code conflux.bundles.encryption-keys} set, every bundle is stored sealed with the first key
 * ({@link BundleCipher}, AES-256-GCM) — not only those holding a Secret, since substituted variables
 * ({@code substituteFrom} Secrets) and Helm values from {@code valuesFrom} Secrets can land in any kind. Without keys,
 * a bundle holding an object of kind {@code Secret} (anywhere in it) is not stored at all: {@link #refusal} names it
 * and the render fails, so decrypted or generated Secret data never reaches the database in clear. Bundles without
 * a Secret are then stored in clear.
 *
 * <p><b>Retention.</b> After each render of an object, bundles that object rendered are deleted unless they are among
 * the latest {@code conflux.bundles.kept-per-object} distinct bundles of some object (by its render records), or
 * still referenced by the applier: an object's desired state ({@code desired_state.bundle_digest}), its last applied
 * bundle ({@code inventory.applied_digest} — what a HelmRelease's upgrade rolls back to), or a HelmRelease's release
 * state ({@code release_state.bundle_digest}). The applier's tables are only read, and only when they exist.
 */
@ApplicationScoped
public class BundleStore {
    private static final Logger LOG = Logger.getLogger(BundleStore.class);
    /** The applier's tables and columns whose digests are never deleted. */
    private static final List<String[]> APPLIER_REFERENCES = List.of(
            new String[] {"desired_state", "bundle_digest"},
            new String[] {"inventory", "applied_digest"},
            new String[] {"release_state", "bundle_digest"});

    @Inject
    BundleConfig config;
    @Inject
    ObjectMapper json;

    private BundleCipher cipher;

    @PostConstruct
    void init() {
        cipher = BundleCipher.of(config.encryptionKeys().orElse(List.of()));
        if (config.keptPerObject() < 1) {
            throw new IllegalArgumentException("conflux.bundles.kept-per-object must be at least 1, got " + config.keptPerObject());
        }
    }

    /**
     * @param content a bundle's JSON (an array of objects, or a HelmRelease's {@code ReleaseBundle} object)
     * @return why the bundle may not be stored (it holds a Secret and no encryption key is configured), or empty
     */
    public Optional<String> refusal(String content) {
        if (cipher.canSeal()) {
            return Optional.empty();
        }
        return secretIn(content).map(secret -> "the bundle holds Secret " + secret + ", and bundles holding Secrets are"
                + " stored only encrypted: set conflux.bundles.encryption-keys on the renderer and the applier");
    }

    /**
     * @return the first Secret object anywhere in the bundle, else the first Secret a HelmRelease bundle's
     *         {@code release.valuesFromSecrets} names (its values are in {@code release.config}, for Helm's release record)
     */
    private Optional<String> secretIn(String content) {
        JsonNode root;
        try {
            root = json.readTree(content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Optional<String> object = find(root);
        if (object.isPresent() || root == null || !root.isObject()) {
            return object;
        }
        JsonNode named = root.path("release").path("valuesFromSecrets");
        return named.isArray() && !named.isEmpty() ? Optional.of(named.get(0).asText() + " (HelmRelease valuesFrom)")
                : Optional.empty();
    }

    /**
     * Inserts the bundle, sealed when a key is configured, unless a row with its digest exists; inside a transaction.
     *
     * @throws IllegalStateException when it holds a Secret and no key is configured ({@link #refusal})
     */
    public Uni<Void> store(String digest, String content, int objectCount) {
        Optional<String> refused = refusal(content);
        if (refused.isPresent()) {
            return Uni.createFrom().failure(new IllegalStateException(refused.get()));
        }
        return BundleEntity.storeIfAbsent(digest, cipher.canSeal() ? cipher.seal(digest, content) : content, objectCount);
    }

    /**
     * Deletes the bundles {@code objectKey} rendered that nothing keeps any more (see the class comment); inside a
     * transaction, after the object's new render record is flushed.
     *
     * @return a Uni of the number of bundles deleted
     */
    public Uni<Integer> prune(String objectKey) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "select cast(relname as text) from pg_class where relkind in ('r', 'p') and pg_table_is_visible(oid)"
                                + " and relname in ('desired_state', 'inventory', 'release_state')", String.class)
                .getResultList()
                .chain(present -> {
                    // the candidates are this object's bundles; a candidate is kept when it is among the latest of
                    // an object that rendered it, so only those objects are ranked (before: every render record in
                    // the table, on every render, which made N renders O(N²) in PostgreSQL)
                    StringBuilder sql = new StringBuilder("""
                            with candidate as (
                              select distinct bundle_digest as digest from render_record
                              where object_key = :key and bundle_digest is not null)
                            delete from bundle where digest in (
                              select digest from candidate
                              except select bundle_digest from (
                                select bundle_digest, row_number() over (partition by object_key order by max(id) desc) as rank
                                from render_record where bundle_digest is not null and object_key in (
                                  select object_key from render_record where bundle_digest in (select digest from candidate))
                                group by object_key, bundle_digest) ranked
                                where rank <= :kept""");
                    for (String[] reference : APPLIER_REFERENCES) {
                        if (present.contains(reference[0])) {
                            sql.append("\n  except select ").append(reference[1]).append(" from ").append(reference[0])
                                    .append(" where ").append(reference[1]).append(" in (select digest from candidate)");
                        }
                    }
                    sql.append(")");
                    return session.createNativeQuery(sql.toString())
                            .setParameter("key", objectKey)
                            .setParameter("kept", config.keptPerObject())
                            .executeUpdate();
                }))
                .invoke(deleted -> {
                    if (deleted > 0) {
                        LOG.debugf("%s: %d old bundles deleted", objectKey, deleted);
                    }
                });
    }

    private static Optional<String> find(JsonNode node) {
        if (node.isObject() && "Secret".equals(node.path("kind").asText(null))) {
            JsonNode metadata = node.path("metadata");
            String name = metadata.path("name").asText("<unnamed>");
            return Optional.of(metadata.hasNonNull("namespace") ? metadata.path("namespace").asText() + "/" + name : name);
        }
        for (JsonNode child : node) {
            Optional<String> found = find(child);
            if (found.isPresent()) {
                return found;
            }
        }
        return Optional.empty();
    }
}
