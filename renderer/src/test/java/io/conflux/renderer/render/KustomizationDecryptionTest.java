package io.conflux.renderer.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.conflux.git.GitSource;
import io.conflux.git.GitMirror;
import io.conflux.git.GitUrlRewriter;
import io.conflux.model.kustomize.KustomizationSpec;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.Revision;
import io.conflux.sops.testing.SopsTestEncryptor;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jgit.api.Git;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code spec.decryption} end to end through the renderer: a Git repository holding SOPS/age-encrypted manifests
 * and generator inputs, the keys in a Secret read from the cluster, the bundle as the applier would receive it.
 */
class KustomizationDecryptionTest {
    static final String URL = "https://github.com/acme/secrets";
    static final ObjectKey SOURCE = new ObjectKey("GitRepository", "default", "secrets");
    static final SopsTestEncryptor.AgeKey KEY = SopsTestEncryptor.generateKey();
    static final String SPEC = """
            {"path": "./apps", "targetNamespace": "apps",
             "decryption": {"provider": "sops", "secretRef": {"name": "sops-age"}},
             "postBuild": {"substitute": {"DB_HOST": "db.internal"}}}""";
    final ObjectMapper json = new ObjectMapper();

    @TempDir
    Path tmp;

    @Test
    void encryptedSecretAndGeneratorInputAreDecryptedThenSubstituted() throws Exception {
        String sha = repo(Map.of(
                "apps/kustomization.yaml", """
                        resources:
                          - secret.yaml
                        secretGenerator:
                          - name: generated
                            envs: [app.env]
                        """,
                "apps/secret.yaml", encryptedSecret(KEY.recipient()),
                "apps/app.env", SopsTestEncryptor.forRecipients(KEY.recipient()).dotenv(List.of("API_TOKEN=t0ken"))));

        RenderOutcome outcome = renderer().render(GitSource.of(SOURCE, URL, new Revision("main", sha)), spec(SPEC), keys(KEY.identity()));

        assertThat(outcome.message()).isNull();
        assertThat(outcome.bundle().content()).doesNotContain("ENC[", "\"sops\"");
        List<Map<String, Object>> objects = json.readValue(outcome.bundle().content(), new TypeReference<>() { });
        Map<String, Object> db = find(objects, "db");
        assertThat(db).doesNotContainKey("sops");
        assertThat(meta(db)).containsEntry("namespace", "apps");
        assertThat(cast(db.get("stringData")))
                .containsEntry("password", "s3cret")
                .as("a ${var} inside a decrypted value is substituted: decryption comes before postBuild")
                .containsEntry("url", "postgres://db.internal:5432/app");
        Map<String, Object> generated = objects.stream()
                .filter(o -> meta(o).get("name").toString().startsWith("generated-")).findFirst().orElseThrow();
        assertThat(cast(generated.get("data")))
                .containsEntry("API_TOKEN", Base64.getEncoder().encodeToString("t0ken".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void wrongKeyFailsNamingTheObjectAndIsRetried() throws Exception {
        String sha = repo(Map.of("apps/kustomization.yaml", "resources: [secret.yaml]\n",
                "apps/secret.yaml", encryptedSecret(KEY.recipient())));

        RenderOutcome outcome = renderer().render(GitSource.of(SOURCE, URL, new Revision("main", sha)), spec(SPEC), keys(SopsTestEncryptor.generateKey().identity()));

        assertThat(outcome.bundle()).isNull();
        assertThat(outcome.reason()).isEqualTo(FluxReasons.BUILD_FAILED);
        assertThat(outcome.message()).startsWith("decryption failed for 'Secret/apps/db': cannot get the sops data key")
                .contains("Secret 'sops-age'", KEY.recipient());
        assertThat(outcome.deterministic()).as("the key Secret may be fixed").isFalse();
    }

    @Test
    void wrongKeyForAGeneratorInputNamesTheFile() throws Exception {
        String sha = repo(Map.of("apps/kustomization.yaml", "secretGenerator:\n  - name: g\n    envs: [app.env]\n",
                "apps/app.env", SopsTestEncryptor.forRecipients(KEY.recipient()).dotenv(List.of("A=b"))));

        RenderOutcome outcome = renderer().render(GitSource.of(SOURCE, URL, new Revision("main", sha)), spec(SPEC), keys(SopsTestEncryptor.generateKey().identity()));

        assertThat(outcome.bundle()).isNull();
        assertThat(outcome.message()).startsWith("error decrypting sources: apps/app.env: cannot get the sops data key");
    }

    @Test
    void tamperedValueFailsForGoodAndMissingKeySecretIsRetried() throws Exception {
        String secret = encryptedSecret(KEY.recipient());
        int at = secret.indexOf("password: ENC[AES256_GCM,data:") + "password: ENC[AES256_GCM,data:".length();
        assertThat(at).isGreaterThan(40);
        String tampered = secret.substring(0, at) + (secret.charAt(at) == 'A' ? 'B' : 'A') + secret.substring(at + 1);
        String sha = repo(Map.of("apps/kustomization.yaml", "resources: [secret.yaml]\n", "apps/secret.yaml", tampered));

        RenderOutcome broken = renderer().render(GitSource.of(SOURCE, URL, new Revision("main", sha)), spec(SPEC), keys(KEY.identity()));
        RenderOutcome noSecret = renderer().render(GitSource.of(SOURCE, URL, new Revision("main", sha)), spec(SPEC), (kind, name) -> null);

        assertThat(broken.message()).contains("Secret/apps/db", "stringData:password:", "does not authenticate");
        assertThat(broken.deterministic()).isTrue();
        assertThat(noSecret.message()).isEqualTo("decryption Secret 'sops-age' not found");
        assertThat(noSecret.deterministic()).isFalse();
    }

    @Test
    void withoutDecryptionEncryptedObjectsAreLeftAsBuilt() throws Exception {
        String sha = repo(Map.of("apps/kustomization.yaml", "resources: [secret.yaml]\n",
                "apps/secret.yaml", encryptedSecret(KEY.recipient())));

        RenderOutcome outcome = renderer().render(GitSource.of(SOURCE, URL, new Revision("main", sha)), spec("{\"path\": \"./apps\"}"), keys(KEY.identity()));

        assertThat(outcome.bundle().content()).contains("ENC[AES256_GCM", "\"sops\"");
    }

    static String encryptedSecret(String recipient) {
        Map<String, Object> secret = new LinkedHashMap<>();
        secret.put("apiVersion", "v1");
        secret.put("kind", "Secret");
        secret.put("metadata", Map.of("name", "db"));
        secret.put("stringData", Map.of("password", "s3cret", "url", "postgres://${DB_HOST}:5432/app"));
        return SopsTestEncryptor.forRecipients(recipient).encryptedRegex("^(data|stringData)$").yaml(secret);
    }

    static PostBuild.VariableSource keys(String identity) {
        return (kind, name) -> "Secret".equals(kind) && "sops-age".equals(name)
                ? Map.of("age.agekey", "# test key\n" + identity + "\n") : null;
    }

    static KustomizationSpec spec(String text) {
        return Serialization.unmarshal(text, KustomizationSpec.class);
    }

    private KustomizationRenderer renderer() {
        GitUrlRewriter rewriter = new GitUrlRewriter(Map.of("https://github.com/", tmp.resolve("src/github.com").toUri().toString()));
        return new KustomizationRenderer(new GitMirror(tmp.resolve("mirrors"), rewriter, Duration.ofSeconds(20)), json);
    }

    private String repo(Map<String, String> files) throws Exception {
        Path work = Files.createDirectories(tmp.resolve("src/github.com/acme/secrets"));
        for (Map.Entry<String, String> f : files.entrySet()) {
            Path p = work.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.writeString(p, f.getValue());
        }
        try (Git git = Git.init().setDirectory(work.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            return git.commit().setMessage("secrets").setAuthor("t", "t@t").setCommitter("t", "t@t").call().name();
        }
    }

    private static Map<String, Object> find(List<Map<String, Object>> objects, String name) {
        return objects.stream().filter(o -> name.equals(meta(o).get("name"))).findFirst().orElseThrow();
    }

    private static Map<String, Object> meta(Map<String, Object> o) {
        return cast(o.get("metadata"));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> cast(Object o) {
        return (Map<String, Object>) o;
    }
}
