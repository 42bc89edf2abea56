package io.conflux.model.source;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import java.util.Map;

/**
 * {@code ArtifactGenerator.spec}, Flux {@code source.extensions.fluxcd.io/v1beta1}.
 *
 * @param commonMetadata labels and annotations put on every generated ExternalArtifact; null when none
 * @param sources        the sources by alias
 * @param pathPattern    {@code @<alias>/<pattern>} with {@code {capture}}s: one set of artifacts per matched
 *                       directory; null when not used
 * @param artifacts      the ExternalArtifacts to generate (Go field {@code OutputArtifacts}, JSON {@code artifacts})
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonIgnoreProperties(ignoreUnknown = true)
public record ArtifactGeneratorSpec(CommonMetadata commonMetadata, List<Source> sources, String pathPattern,
                                    List<OutputArtifact> artifacts) {

    /**
     * @param annotations added to each generated ExternalArtifact
     * @param labels      added to each generated ExternalArtifact (the generator and managed-by labels win)
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CommonMetadata(Map<String, String> annotations, Map<String, String> labels) {
    }

    /**
     * A source by alias (source-watcher's {@code SourceReference}).
     *
     * @param alias     unique in the generator: lower-case alphanumerics, {@code _} and {@code -}
     * @param name      the source object's name
     * @param namespace its namespace; null means the generator's
     * @param kind      {@code GitRepository}, {@code OCIRepository}, {@code Bucket}, {@code HelmChart} or
     *                  {@code ExternalArtifact}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record Source(String alias, String name, String namespace, String kind) {
    }

    /**
     * One ExternalArtifact to generate.
     *
     * @param name           the ExternalArtifact's name
     * @param revision       {@code @<alias>}: the artifact takes that source's revision instead of
     *                       {@code latest@<digest>}; null for the latter
     * @param originRevision {@code @<alias>}: that source's (origin) revision goes to the artifact's metadata
     *                       {@code org.opencontainers.image.revision}; null for none
     * @param copy           the copy operations, applied in order
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record OutputArtifact(String name, String revision, String originRevision, List<CopyOperation> copy) {
    }

    /**
     * One copy operation (source-watcher's {@code CopyOperation}).
     *
     * @param from     {@code @<alias>/<path or glob>}
     * @param to       {@code @artifact/<path>}; a trailing {@code /} names a directory
     * @param exclude  doublestar globs of files to leave out, relative to the alias root or to the non-glob prefix of
     *                 {@code from}; a pattern without {@code /} matches the file name at any depth
     * @param strategy {@code Overwrite} (default), {@code Merge} (YAML, Helm's values merge) or {@code Extract}
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonIgnoreProperties(ignoreUnknown = true)
    public record CopyOperation(String from, String to, List<String> exclude, String strategy) {
    }
}
