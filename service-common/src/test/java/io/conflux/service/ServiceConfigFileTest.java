package io.conflux.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ServiceConfigFile} in a real SmallRye Config: two "services" with different application names read the same
 * global property set, and each gets its own file's values above the system-property ordinal.
 */
class ServiceConfigFileTest {

    @TempDir
    Path dir;

    @Test
    void eachApplicationReadsTheFileNamedForItsOwnName() throws Exception {
        Path renderer = Files.writeString(dir.resolve("renderer.properties"), "quarkus.http.port=9393\nconflux.x=r\n");
        Path applier = Files.writeString(dir.resolve("applier.properties"), "quarkus.http.port=9394\n");
        // what the JVM's system properties would hold: shared, one entry per service, and a port they both see
        Map<String, String> global = Map.of(
            "conflux.service-config-file.conflux-renderer", renderer.toString(),
            "conflux.service-config-file.conflux-applier", applier.toString(),
            "quarkus.http.port", "1");

        SmallRyeConfig rendererConfig = config("conflux-renderer", global);
        SmallRyeConfig applierConfig = config("conflux-applier", global);

        assertThat(rendererConfig.getValue("quarkus.http.port", Integer.class)).isEqualTo(9393);
        assertThat(rendererConfig.getOptionalValue("conflux.x", String.class)).contains("r");
        assertThat(applierConfig.getValue("quarkus.http.port", Integer.class)).isEqualTo(9394);
        assertThat(applierConfig.getOptionalValue("conflux.x", String.class)).isEmpty();
    }

    @Test
    void withoutItsPropertyNothingIsAdded() {
        SmallRyeConfig config = config("conflux-notifier", Map.of("quarkus.http.port", "9295"));

        assertThat(config.getValue("quarkus.http.port", Integer.class)).isEqualTo(9295);
    }

    @Test
    void aMissingFileFailsNamingTheFileAndTheProperty() {
        Path missing = dir.resolve("missing.properties");

        assertThatThrownBy(() -> config("conflux-renderer",
                Map.of("conflux.service-config-file.conflux-renderer", missing.toString())))
            .hasRootCauseInstanceOf(java.nio.file.NoSuchFileException.class)
            .satisfies(e -> assertThat(findUnchecked(e).getMessage()).contains(missing.toString(),
                "conflux.service-config-file.conflux-renderer"));
    }

    private static UncheckedIOException findUnchecked(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UncheckedIOException u) {
                return u;
            }
        }
        throw new AssertionError("no UncheckedIOException in " + e);
    }

    /** A config as one application sees it: its application.properties name, the shared properties at 400. */
    private static SmallRyeConfig config(String applicationName, Map<String, String> systemProperties) {
        return new SmallRyeConfigBuilder()
            .withSources(new PropertiesConfigSource(Map.of("quarkus.application.name", applicationName),
                "application.properties", 250))
            .withSources(new PropertiesConfigSource(systemProperties, "system properties", 400))
            .withSources(new ServiceConfigFile())
            .build();
    }
}
