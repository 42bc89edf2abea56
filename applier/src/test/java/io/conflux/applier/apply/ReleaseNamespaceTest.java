package io.conflux.applier.apply;

import static org.assertj.core.api.Assertions.assertThat;

import io.conflux.embedded.InMemoryKubernetes;
import io.conflux.model.helm.HelmRelease;
import io.fabric8.kubernetes.client.utils.Serialization;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class ReleaseNamespaceTest {
    static InMemoryKubernetes cluster;

    @BeforeAll
    static void start() {
        cluster = InMemoryKubernetes.start();
    }

    @AfterAll
    static void stop() {
        cluster.close();
    }

    @Test
    void createsTheTargetNamespaceOnlyWhenAskedAndMissing() {
        assertThat(ReleaseNamespace.ensure(cluster.client(), release("cert-manager", "{\"createNamespace\":true}")))
                .isEqualTo("cert-manager");
        assertThat(cluster.client().namespaces().withName("cert-manager").get()).isNotNull();
        assertThat(ReleaseNamespace.ensure(cluster.client(), release("cert-manager", "{\"createNamespace\":true}"))).isNull();
        assertThat(ReleaseNamespace.ensure(cluster.client(), release("ingress-nginx", "{\"remediation\":{\"retries\":3}}")))
                .isNull();
        assertThat(cluster.client().namespaces().withName("ingress-nginx").get()).isNull();
    }

    private static HelmRelease release(String targetNamespace, String install) {
        return Serialization.unmarshal("{\"apiVersion\":\"helm.toolkit.fluxcd.io/v2\",\"kind\":\"HelmRelease\","
                + "\"metadata\":{\"name\":\"r\",\"namespace\":\"default\"},\"spec\":{\"targetNamespace\":\""
                + targetNamespace + "\",\"install\":" + install + "}}", HelmRelease.class);
    }
}
