package io.conflux.cli.check;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionVersion;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * The CRDs Conflux installs ({@code deploy/crds/*.yaml} of the checkout) and the versions each serves: what
 * {@code conflux check} expects on the cluster.
 */
public final class ConfluxCrds {
    private ConfluxCrds() {
    }

    /**
     * @param client any client (only its parser is used: nothing is sent)
     * @param dir    {@code deploy/crds}
     * @return CRD name → served versions, sorted by name
     * @throws UncheckedIOException when a file cannot be read
     */
    public static Map<String, List<String>> served(KubernetesClient client, Path dir) {
        Map<String, List<String>> out = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml") || f.toString().endsWith(".yml"))
                    .sorted().toList()) {
                try (InputStream in = Files.newInputStream(file)) {
                    for (HasMetadata item : client.load(in).items()) {
                        if (item instanceof CustomResourceDefinition crd) {
                            out.put(crd.getMetadata().getName(), servedVersions(crd));
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read Conflux's CRDs in " + dir, e);
        }
        return out;
    }

    /** @return the names of {@code crd}'s served versions, in its order */
    public static List<String> servedVersions(CustomResourceDefinition crd) {
        List<String> out = new ArrayList<>();
        for (CustomResourceDefinitionVersion v : crd.getSpec().getVersions()) {
            if (Boolean.TRUE.equals(v.getServed())) {
                out.add(v.getName());
            }
        }
        return out;
    }
}
