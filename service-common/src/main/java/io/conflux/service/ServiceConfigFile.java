package io.conflux.service;

import io.smallrye.config.ConfigSourceContext;
import io.smallrye.config.ConfigSourceFactory;
import io.smallrye.config.ConfigValue;
import io.smallrye.config.PropertiesConfigSource;
import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.eclipse.microprofile.config.spi.ConfigSource;

/**
 * One service's own configuration file when several services share one JVM (the one-JVM mode of {@code conflux up}),
 * where system properties and environment variables are global and so cannot say "this port is the renderer's".
 *
 * <p>The file is named by the system property (or any lower-ordinal source) {@code conflux.service-config-file.<name>},
 * where {@code <name>} is the service's own {@code quarkus.application.name} (e.g.
 * {@code conflux.service-config-file.conflux-renderer=/work/.conflux/config/renderer.properties}); it is a
 * {@link Properties} file in UTF-8, whose keys are ordinary configuration keys ({@code quarkus.http.port},
 * {@code kafka.bootstrap.servers}, {@code conflux.bundles.encryption-keys}, ...). Its source has ordinal
 * {@value #ORDINAL}, above system properties (400) and environment variables (300), so it overrides them. Without
 * the property nothing is added: a service in its own JVM or Deployment is configured as before.
 *
 * <p>Registered through {@code META-INF/services/io.smallrye.config.ConfigSourceFactory}, which Quarkus reads at
 * start-up.
 *
 * @throws UncheckedIOException (from {@link #getConfigSources}) when the named file cannot be read; the message names
 *                              the file and the property, never a value
 */
public final class ServiceConfigFile implements ConfigSourceFactory {
    /** The prefix of the system property naming a service's file; the service's application name follows. */
    public static final String PROPERTY_PREFIX = "conflux.service-config-file.";
    /** Ordinal of the file's source: above system properties (400). */
    public static final int ORDINAL = 450;

    @Override
    public Iterable<ConfigSource> getConfigSources(ConfigSourceContext context) {
        ConfigValue name = context.getValue("quarkus.application.name");
        if (name == null || name.getValue() == null || name.getValue().isBlank()) {
            return List.of();
        }
        String property = PROPERTY_PREFIX + name.getValue();
        ConfigValue file = context.getValue(property);
        if (file == null || file.getValue() == null || file.getValue().isBlank()) {
            return List.of();
        }
        Path path = Path.of(file.getValue());
        return List.of(new PropertiesConfigSource(read(path, property), "ServiceConfigFile[" + path + "]", ORDINAL));
    }

    /**
     * @return the file's entries, in file order
     * @throws UncheckedIOException when the file cannot be read
     */
    static Map<String, String> read(Path path, String property) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(path, StandardCharsets.UTF_8)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the service configuration file " + path + " named by "
                + property, e);
        }
        Map<String, String> entries = new LinkedHashMap<>();
        properties.stringPropertyNames().forEach(key -> entries.put(key, properties.getProperty(key)));
        return entries;
    }
}
