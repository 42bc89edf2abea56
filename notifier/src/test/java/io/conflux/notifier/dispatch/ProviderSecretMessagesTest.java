package io.conflux.notifier.dispatch;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.notification.Provider;
import io.conflux.model.notification.ProviderSpec;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A malformed {@code headers} key of a Provider's Secret fails naming the Secret, the key and the line, never its
 * content (the YAML parser's own message quotes the offending lines, which hold the credentials).
 */
class ProviderSecretMessagesTest {
    private static final String CANARY = "c4n4ry-91be2d";
    private static InMemoryKubernetes kube;
    private static ProviderResolver resolver;

    @BeforeAll
    static void start() {
        kube = InMemoryKubernetes.start();
        kube.client().resource(new NamespaceBuilder().withNewMetadata().withName("team").endMetadata().build()).create();
        resolver = new ProviderResolver();
        resolver.secrets = new io.conflux.service.SecretReader(kube.client());
    }

    @AfterAll
    static void stop() {
        kube.close();
    }

    private static Provider provider(String secret, String headers) {
        kube.client().secrets().inNamespace("team").resource(new SecretBuilder()
                .withMetadata(new ObjectMetaBuilder().withName(secret).withNamespace("team").build())
                .withStringData(Map.of("address", "https://example.com/hook", "headers", headers)).build()).create();
        Provider p = new Provider();
        p.setMetadata(new ObjectMetaBuilder().withName("p-" + secret).withNamespace("team").build());
        p.setSpec(new ProviderSpec("generic", null, null, null, null, null, new LocalObjectReference(secret), null,
                null));
        return p;
    }

    @Test
    void malformedHeadersYamlNamesSecretKeyAndLineOnly() {
        Provider p = provider("bad-yaml", "X-Team: payments\nAuthorization: Bearer " + CANARY + "\n  X-Broken: : " + CANARY
                + "\n\t- " + CANARY + "\n");
        assertThatThrownBy(() -> resolver.resolve(p))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("Secret team/bad-yaml key 'headers': not valid YAML (line 3, column ")
                .hasNoCause()
                .message().doesNotContain(CANARY).doesNotContain("Bearer");
    }

    @Test
    void headersThatAreNotAMappingAreRefusedWithoutTheirContent() {
        Provider p = provider("scalar", "Authorization Bearer " + CANARY + "\n");
        assertThatThrownBy(() -> resolver.resolve(p))
                .hasMessageStartingWith("Secret team/scalar key 'headers': not a YAML mapping")
                .message().doesNotContain(CANARY);
    }

    @Test
    void aHeaderValueWithALineBreakIsRefusedNamingTheHeader() {
        Provider p = provider("crlf", "Authorization: \"Bearer " + CANARY + "\\r\\nX-Injected: 1\"\n");
        assertThatThrownBy(() -> resolver.resolve(p))
                .hasMessage("Secret team/crlf key 'headers': the value of header 'Authorization' holds control "
                        + "characters (value not shown)");
    }
}
