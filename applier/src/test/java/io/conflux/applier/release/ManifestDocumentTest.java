package io.conflux.applier.release;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/** {@link ReleaseRecords#manifestDocument}: Helm's plain YAML, the same from any number of threads at once. */
class ManifestDocumentTest {

    @Test
    void aMapThatOccursTwiceIsWrittenTwiceWithoutAnchors() {
        Map<String, Object> labels = Map.of("app", "podinfo");
        Map<String, Object> object = new LinkedHashMap<>();
        object.put("kind", "Deployment");
        object.put("metadata", Map.of("labels", labels));
        object.put("spec", Map.of("selector", Map.of("matchLabels", labels)));

        String yaml = ReleaseRecords.manifestDocument(object);

        assertThat(yaml).startsWith("---\nkind: Deployment\n").doesNotContain("&").doesNotContain("*id");
        assertThat(yaml.split("app: podinfo", -1)).hasSize(3);
    }

    @Test
    void concurrentCallsGiveWhatOneCallGives() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Callable<String>> calls = new ArrayList<>();
            List<String> expected = new ArrayList<>();
            for (int i = 0; i < 2000; i++) {
                Map<String, Object> labels = Map.of("app", "podinfo-" + i);
                Map<String, Object> object = Map.of("kind", "Service", "metadata", Map.of("name", "podinfo-" + i,
                    "labels", labels), "spec", Map.of("selector", labels));
                expected.add(ReleaseRecords.manifestDocument(object));
                calls.add(() -> ReleaseRecords.manifestDocument(object));
            }
            List<String> actual = new ArrayList<>();
            for (Future<String> f : pool.invokeAll(calls)) {
                actual.add(f.get());
            }
            assertThat(actual).isEqualTo(expected);
        } finally {
            pool.shutdownNow();
        }
    }
}
