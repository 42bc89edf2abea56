package io.conflux.renderer.generate;

import io.conflux.git.ArtifactDigest;
import io.conflux.model.source.ArtifactGeneratorSpec;
import io.conflux.model.source.ArtifactGeneratorSpec.OutputArtifact;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Builds an ArtifactGenerator's output artifacts from its sources' content, as fluxcd/source-watcher's reconciler does
 * between fetching the sources and writing the ExternalArtifacts: the spec is validated, each output's copy operations
 * run into a directory of its own ({@link ArtifactCopy}), its content digested ({@link ArtifactDigest}) and zipped
 * ({@link ArtifactContent}); its revision is {@code latest@<digest>} unless {@code revision: @<alias>} names a source,
 * whose revision it takes; {@code originRevision: @<alias>} records that source's origin revision (else its revision).
 * Pure over the given directories.
 */
public final class GeneratorBuild {
    /** Flux's {@code ValidationFailedReason}: a terminal spec error (the generator is {@code Stalled}). */
    public static final String VALIDATION_FAILED = "ValidationFailed";
    /** Flux's {@code SourceFetchFailedReason}. */
    public static final String SOURCE_FETCH_FAILED = "SourceFetchFailed";
    /** Flux's {@code BuildFailedReason}. */
    public static final String BUILD_FAILED = "BuildFailed";
    private static final Pattern ALIAS = Pattern.compile("[a-z0-9]([a-z0-9_-]*[a-z0-9])?");
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");

    private GeneratorBuild() {
    }

    /**
     * A source's content and identity.
     *
     * @param root           its files
     * @param revision       its artifact revision
     * @param digest         its artifact digest, null when unknown
     * @param url            its artifact URL
     * @param originRevision its origin revision (an ExternalArtifact's {@code org.opencontainers.image.revision}),
     *                       null when none
     */
    public record Source(Path root, String revision, String digest, String url, String originRevision) {
    }

    /**
     * One built output.
     *
     * @param name           the ExternalArtifact's name
     * @param revision       its artifact revision
     * @param digest         {@code sha256:<hex>} of its content
     * @param originRevision the origin revision for its metadata, null when none
     * @param content        its files, zipped
     */
    public record Output(String name, String revision, String digest, String originRevision, byte[] content) {
    }

    /** A build that failed; {@code reason} is Flux's ({@link #VALIDATION_FAILED}, {@link #BUILD_FAILED}). */
    public static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        private final String reason;

        /**
         * @param reason  Flux's reason
         * @param message what failed, naming the field, source or operation
         */
        public Failure(String reason, String message) {
            super(message);
            this.reason = reason;
        }

        /** @return Flux's reason */
        public String reason() {
            return reason;
        }
    }

    /**
     * Checks {@code spec} before any source is read: aliases unique and well-formed, every copy naming a known alias,
     * output names unique Kubernetes names, revision references known; {@code pathPattern} is refused (Conflux does not
     * implement directory discovery: said, not ignored).
     *
     * @throws Failure with {@link #VALIDATION_FAILED} naming the field
     */
    public static void validate(ArtifactGeneratorSpec spec) throws Failure {
        if (spec == null || spec.sources() == null || spec.sources().isEmpty()) {
            throw new Failure(VALIDATION_FAILED, "spec.sources: at least one source is required");
        }
        if (spec.artifacts() == null || spec.artifacts().isEmpty()) {
            throw new Failure(VALIDATION_FAILED, "spec.artifacts: at least one artifact is required");
        }
        if (spec.pathPattern() != null && !spec.pathPattern().isEmpty()) {
            throw new Failure(VALIDATION_FAILED, "spec.pathPattern is not supported by Conflux");
        }
        Set<String> aliases = new HashSet<>();
        for (ArtifactGeneratorSpec.Source s : spec.sources()) {
            if (s.alias() == null || !ALIAS.matcher(s.alias()).matches()) {
                throw new Failure(VALIDATION_FAILED, "spec.sources: invalid alias '" + s.alias() + "'");
            }
            if (!aliases.add(s.alias())) {
                throw new Failure(VALIDATION_FAILED, "spec.sources: duplicate alias '" + s.alias() + "'");
            }
            if (s.name() == null || s.name().isEmpty() || s.kind() == null || s.kind().isEmpty()) {
                throw new Failure(VALIDATION_FAILED, "spec.sources['" + s.alias() + "']: kind and name are required");
            }
        }
        Set<String> names = new HashSet<>();
        for (OutputArtifact a : spec.artifacts()) {
            if (a.name() == null || a.name().length() > 253 || !NAME.matcher(a.name()).matches()) {
                throw new Failure(VALIDATION_FAILED, "spec.artifacts: invalid name '" + a.name() + "'");
            }
            if (!names.add(a.name())) {
                throw new Failure(VALIDATION_FAILED, "spec.artifacts: duplicate name '" + a.name() + "'");
            }
            for (String ref : new String[] {a.revision(), a.originRevision()}) {
                if (ref != null && !ref.isEmpty() && !(ref.startsWith("@") && aliases.contains(ref.substring(1)))) {
                    throw new Failure(VALIDATION_FAILED, "spec.artifacts['" + a.name() + "']: '" + ref
                            + "' does not name a source alias as '@<alias>'");
                }
            }
            if (a.copy() == null || a.copy().isEmpty()) {
                throw new Failure(VALIDATION_FAILED, "spec.artifacts['" + a.name() + "'].copy: at least one is required");
            }
        }
    }

    /**
     * @param spec    a {@link #validate valid} spec
     * @param sources the content of each alias
     * @param scratch an empty directory to stage the outputs in
     * @return the outputs, in the spec's order
     * @throws Failure with {@link #BUILD_FAILED} naming the output and the copy operation
     */
    public static List<Output> build(ArtifactGeneratorSpec spec, Map<String, Source> sources, Path scratch) throws Failure {
        Map<String, Path> roots = new TreeMap<>();
        sources.forEach((alias, s) -> roots.put(alias, s.root()));
        List<Output> outputs = new ArrayList<>();
        for (OutputArtifact a : spec.artifacts()) {
            try {
                Path dir = Files.createDirectories(scratch.resolve(a.name()));
                ArtifactCopy.apply(a.copy(), roots, dir);
                String digest = ArtifactDigest.of(dir);
                String revision = "latest@" + digest;
                if (a.revision() != null && !a.revision().isEmpty()) {
                    revision = sources.get(a.revision().substring(1)).revision();
                }
                String origin = null;
                if (a.originRevision() != null && !a.originRevision().isEmpty()) {
                    Source s = sources.get(a.originRevision().substring(1));
                    origin = s.originRevision() != null ? s.originRevision() : s.revision();
                }
                outputs.add(new Output(a.name(), revision, digest, origin, ArtifactContent.pack(dir)));
            } catch (ArtifactCopy.CopyException e) {
                throw new Failure(BUILD_FAILED, a.name() + " build failed: " + e.getMessage());
            } catch (IOException | UncheckedIOException e) {
                throw new Failure(BUILD_FAILED, a.name() + " build failed: " + e.getMessage());
            }
        }
        return outputs;
    }

    /**
     * source-watcher's {@code HashObservedSources}: {@code sha256:<hex>} of the sorted
     * {@code <alias>=[digest=…,revision=…,url=…]} joined by {@code |}.
     */
    public static String observedSourcesDigest(Map<String, Source> sources) {
        List<String> parts = new ArrayList<>();
        sources.forEach((alias, s) -> parts.add(alias + "=[digest=" + (s.digest() == null ? "" : s.digest())
                + ",revision=" + s.revision() + ",url=" + s.url() + "]"));
        parts.sort(null);
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(String.join("|", parts).getBytes(StandardCharsets.UTF_8));
            return "sha256:" + HexFormat.of().formatHex(d);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
