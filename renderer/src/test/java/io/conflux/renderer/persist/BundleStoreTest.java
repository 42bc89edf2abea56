package io.conflux.renderer.persist;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.renderer.render.Bundle;
import io.conflux.renderer.render.EmbeddedDatabase;
import io.conflux.service.BundleCipher;
import io.conflux.service.ReactiveRunner;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Supplier;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/**
 * Bundles at rest, in a real PostgreSQL: sealed with the configured key (the clear Secret value is nowhere in the
 * table), refused without a key when they hold a Secret, and only the latest N per object kept — plus whatever the
 * applier still references.
 */
@QuarkusTest
@QuarkusTestResource(EmbeddedDatabase.class)
class BundleStoreTest {
    private static final Duration WAIT = Duration.ofSeconds(30);
    private static final String PASSWORD = "canary-" + UUID.randomUUID();

    @Inject
    ReactiveRunner runner;

    @Test
    void aBundleWithASecretIsStoredEncryptedAndOpensWithTheKey() {
        String key = BundleCipher.generateKey("k1");
        BundleStore store = store(List.of(key), 5);
        Bundle bundle = Bundle.of(secretBundle("db", PASSWORD), 1);
        inTransaction(() -> store.store(bundle.digest(), bundle.content(), 1));

        String stored = content(bundle.digest());
        assertThat(stored).startsWith(BundleCipher.PREFIX + "k1:").doesNotContain(PASSWORD).doesNotContain("Secret");
        Long clear = runner.run(b -> Panache.withSession(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                "select count(*) from bundle where content like :value", Long.class)
                .setParameter("value", "%" + PASSWORD + "%").getSingleResult()))).await().atMost(WAIT);
        assertThat(clear).isZero();
        // what the applier does: the same key list opens it, also after a newer key was put first
        assertThat(BundleCipher.of(List.of(BundleCipher.generateKey("k2"), key)).open(bundle.digest(), stored))
                .isEqualTo(bundle.content());
    }

    @Test
    void withoutAKeyABundleHoldingASecretIsRefusedAndOthersStayClear() {
        BundleStore store = store(List.of(), 5);
        Bundle secret = Bundle.of("[{\"apiVersion\":\"v1\",\"kind\":\"List\",\"items\":" + secretBundle("nested", PASSWORD)
                + "}]", 1);
        assertThat(store.refusal(secret.content())).contains("the bundle holds Secret apps/nested, and bundles holding"
                + " Secrets are stored only encrypted: set conflux.bundles.encryption-keys on the renderer and the applier");
        assertThatThrownBy(() -> inTransaction(() -> store.store(secret.digest(), secret.content(), 1)))
                .hasMessageContaining("bundles holding Secrets are stored only encrypted");
        assertThat(content(secret.digest())).isNull();

        Bundle plain = Bundle.of(configMapBundle("plain-" + UUID.randomUUID()), 1);
        assertThat(store.refusal(plain.content())).isEmpty();
        inTransaction(() -> store.store(plain.digest(), plain.content(), 1));
        assertThat(content(plain.digest())).isEqualTo(plain.content());
    }

    @Test
    void withoutAKeyAHelmReleaseBundleWithValuesFromASecretIsRefused() {
        BundleStore store = store(List.of(), 5);
        String objects = configMapBundle("values-" + UUID.randomUUID());
        String fromSecret = "{\"objects\":" + objects + ",\"hooks\":[],\"release\":{\"config\":{\"password\":\"x\"},"
                + "\"valuesFromSecrets\":[\"apps/db-values\"]}}";
        assertThat(store.refusal(fromSecret)).hasValueSatisfying(message -> assertThat(message)
                .startsWith("the bundle holds Secret apps/db-values (HelmRelease valuesFrom), and bundles holding Secrets"));
        String fromConfigMaps = "{\"objects\":" + objects + ",\"hooks\":[],\"release\":{\"config\":{},"
                + "\"valuesFromSecrets\":[]}}";
        assertThat(store.refusal(fromConfigMaps)).isEmpty();
    }

    @Test
    void keepsTheLatestBundlesPerObjectAndWhatTheApplierStillReferences() {
        BundleStore store = store(List.of(BundleCipher.generateKey("k1")), 2);
        String object = "Kustomization/apps/" + UUID.randomUUID();
        String other = "Kustomization/apps/" + UUID.randomUUID();
        List<Bundle> bundles = IntStream.range(0, 5).mapToObj(i -> Bundle.of(configMapBundle(object + "-" + i), 1)).toList();
        // the applier's table (created by the applier's migration in a real installation): it last applied bundle 0,
        // which a HelmRelease's upgrade would roll back to
        inTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                "create table inventory (object_key varchar(512) primary key, applied_digest varchar(80))").executeUpdate()));
        inTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                "insert into inventory (object_key, applied_digest) values (:key, :digest)")
                .setParameter("key", object).setParameter("digest", bundles.get(0).digest()).executeUpdate()));
        render(store, other, bundles.get(2));
        for (Bundle bundle : bundles) {
            render(store, object, bundle);
        }
        assertThat(bundles).extracting(b -> content(b.digest()) != null)
                .as("0: applied, 1: gone, 2: another object's latest, 3 and 4: the latest two")
                .containsExactly(true, false, true, true, true);

        inTransaction(() -> Panache.getSession().chain(s -> s.createNativeQuery("drop table inventory").executeUpdate()));
        render(store, object, bundles.get(4));
        assertThat(content(bundles.get(0).digest())).as("no longer referenced").isNull();
        assertThat(content(bundles.get(2).digest())).isNotNull();
    }

    /** What the render coordinator does: store the bundle, record the render, prune — in one transaction. */
    private void render(BundleStore store, String objectKey, Bundle bundle) {
        RenderRecord r = new RenderRecord();
        r.objectKey = objectKey;
        r.generation = 1;
        r.sourceRevision = "main@sha1:" + UUID.randomUUID();
        r.requestedAt = "";
        r.bundleDigest = bundle.digest();
        r.deterministic = true;
        r.renderedAt = OffsetDateTime.now();
        inTransaction(() -> store.store(bundle.digest(), bundle.content(), bundle.objectCount())
                .chain(() -> r.persistAndFlush()).chain(() -> store.prune(objectKey)));
    }

    private BundleStore store(List<String> keys, int kept) {
        BundleStore store = new BundleStore();
        store.config = new BundleConfig() {
            @Override
            public Optional<List<String>> encryptionKeys() {
                return keys.isEmpty() ? Optional.empty() : Optional.of(keys);
            }

            @Override
            public int keptPerObject() {
                return kept;
            }
        };
        store.json = new ObjectMapper();
        store.init();
        return store;
    }

    private <T> void inTransaction(Supplier<Uni<T>> work) {
        runner.run(b -> Panache.withTransaction(work)).await().atMost(WAIT);
    }

    private String content(String digest) {
        return runner.run(b -> Panache.withSession(() -> Panache.getSession().chain(s -> s.createNativeQuery(
                "select content from bundle where digest = :digest", String.class)
                .setParameter("digest", digest).getSingleResultOrNull()))).await().atMost(WAIT);
    }

    private static String secretBundle(String name, String password) {
        return "[{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"apps\"},"
                + "\"stringData\":{\"password\":\"" + password + "\"}}]";
    }

    private static String configMapBundle(String value) {
        return "[{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\",\"namespace\":\"apps\"},"
                + "\"data\":{\"v\":\"" + value + "\"}}]";
    }
}
