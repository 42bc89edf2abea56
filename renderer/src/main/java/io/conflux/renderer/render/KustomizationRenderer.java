package io.conflux.renderer.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.common.jimfs.Configuration;
import com.google.common.jimfs.Jimfs;
import io.conflux.git.GitException;
import io.conflux.git.GitMirror;
import io.conflux.git.GitSource;
import io.conflux.git.SourceIgnore;
import io.conflux.git.SourceTree;
import io.conflux.kustomize.BuildCancelledException;
import io.conflux.kustomize.KustomizeException;
import io.conflux.kustomize.Kustomizer;
import io.conflux.kustomize.RemoteFetcher;
import io.conflux.kustomize.LoadRestrictions;
import io.conflux.kustomize.ResourceList;
import io.conflux.model.kustomize.KustomizationSpec;
import io.conflux.model.meta.FluxReasons;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.Revision;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileSystem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Renders one Flux {@code Kustomization} at one source revision, the way kustomize-controller builds it:
 * the source's artifact content (the revision's tree, its {@code spec.include}s, its ignore rules:
 * {@link SourceTree}) is read from the Git mirrors into an in-memory file system, Flux's generator writes the
 * kustomization file for {@code spec.path}, and kustomize builds it with load restrictions off inside the
 * source root (Flux's secure file system). With {@code spec.decryption}, SOPS-encrypted inputs and objects are
 * decrypted around the build ({@link Decryption}). Blocking; call from a worker thread.
 */
public final class KustomizationRenderer {
    private final SourceTree sources;
    private final ObjectMapper json;
    private final boolean strictSubstitutions;
    /** Flux's load restrictions, with remote bases only when configured. */
    private final Kustomizer kustomizer;

    /**
     * With the default strictness ({@link PostBuild#DEFAULT_STRICT}).
     *
     * @param mirror Git mirrors to read revisions from
     * @param json   serializer of the bundle
     */
    public KustomizationRenderer(GitMirror mirror, ObjectMapper json) {
        this(mirror, json, PostBuild.DEFAULT_STRICT);
    }

    /**
     * @param mirror              Git mirrors to read revisions from
     * @param json                serializer of the bundle
     * @param strictSubstitutions {@code conflux.renderer.strict-post-build-substitutions}: an undefined postBuild
     *                            variable without a default fails the render
     */
    public KustomizationRenderer(GitMirror mirror, ObjectMapper json, boolean strictSubstitutions) {
        this(mirror, json, strictSubstitutions, null);
    }

    /**
     * @param mirror              Git mirrors to read revisions from
     * @param json                serializer of the bundle
     * @param strictSubstitutions {@code conflux.renderer.strict-post-build-substitutions}
     * @param remoteBases         fetches remote kustomize bases ({@code conflux.renderer.kustomize.remote-bases=true}),
     *                            or null to refuse them
     */
    public KustomizationRenderer(GitMirror mirror, ObjectMapper json, boolean strictSubstitutions,
                                 RemoteFetcher remoteBases) {
        this.sources = new SourceTree(mirror);
        this.json = json;
        this.strictSubstitutions = strictSubstitutions;
        this.kustomizer = Kustomizer.create().withLoadRestrictions(LoadRestrictions.NONE).withRemoteFetcher(remoteBases);
    }

    /**
     * @param source   the GitRepository, whose mirror is read
     * @param url      source URL as written in the GitRepository
     * @param revision the source revision, e.g. {@code main@sha1:...}
     * @param spec     the Kustomization's spec ({@code path} relative to the source root, default {@code ./})
     * @return the bundle, or a failure: {@code ArtifactFailed} when the revision cannot be read,
     * {@code BuildFailed} when the content does not build (the message names the file and line)
     */
    public RenderOutcome render(ObjectKey source, String url, Revision revision, KustomizationSpec spec) {
        return render(GitSource.of(source, url, revision), spec, (kind, name) -> null);
    }

    /**
     * As {@link #render(ObjectKey, String, Revision, KustomizationSpec)} for a GitRepository's whole {@code source}: fetched with
     * its credentials (HTTPS or SSH) within its timeout, its includes copied in, leaving out what Flux's source would
     * ({@link SourceIgnore}: defaults, {@code .sourceignore}, {@code GitRepository.spec.ignore}), decrypted with
     * {@code spec.decryption}'s Secret read from {@code variables} (kind {@code Secret}), then {@code commonMetadata}
     * and {@code postBuild} substitution with {@code substituteFrom} read from {@code variables}; a missing
     * non-optional source, or in strict mode an undefined variable without a default, fails with {@code BuildFailed}
     * naming it and is retried (the object or key may appear later). A source that
     * cannot be fetched or included fails with {@code ArtifactFailed}, retried.
     */
    public RenderOutcome render(GitSource source, KustomizationSpec spec, PostBuild.VariableSource variables) {
        return render(source.revision().toString(), root -> {
            try {
                sources.write(source, root);
            } catch (GitException | UncheckedIOException e) {
                throw new ArtifactUnavailable(e.getMessage());
            }
        }, spec, variables);
    }

    /** Writes a source's artifact content into an empty root directory; blocking. */
    @FunctionalInterface
    public interface ArtifactWriter {
        /**
         * @param root the directory to fill
         * @throws ArtifactUnavailable when the content cannot be had (the render fails {@code ArtifactFailed})
         * @throws IOException         when the in-memory file system fails
         */
        void write(Path root) throws IOException;
    }

    /** The artifact's content cannot be had; the message says why (file, URL, revision). */
    public static final class ArtifactUnavailable extends RuntimeException {
        private static final long serialVersionUID = 1L;

        /** @param message why */
        public ArtifactUnavailable(String message) {
            super(message);
        }
    }

    /**
     * As {@link #render(GitSource, KustomizationSpec, PostBuild.VariableSource)} for any source kind: {@code writer} puts
     * the artifact's content (a GitRepository's tree, an OCIRepository's or Bucket's extracted tarball) under the root.
     *
     * @param revision the source revision, for messages
     */
    public RenderOutcome render(String revision, ArtifactWriter writer, KustomizationSpec spec,
                                PostBuild.VariableSource variables) {
        try (FileSystem fs = Jimfs.newFileSystem(Configuration.unix())) {
            Path root = Files.createDirectories(fs.getPath("/source"));
            try {
                writer.write(root);
            } catch (ArtifactUnavailable e) {
                return RenderOutcome.failed(FluxReasons.ARTIFACT_FAILED, e.getMessage());
            } catch (IOException e) {
                return RenderOutcome.failed(FluxReasons.ARTIFACT_FAILED, "cannot read revision " + revision + ": "
                        + e.getMessage());
            }
            String path = spec.path() == null || spec.path().isBlank() ? "./" : spec.path();
            Path dir = root.resolve(path.startsWith("/") ? path.substring(1) : path).normalize();
            if (!dir.startsWith(root) || !Files.isDirectory(dir)) {
                return RenderOutcome.failed(FluxReasons.ARTIFACT_FAILED,
                        "kustomization path not found: " + path + " in revision " + revision);
            }
            try {
                FluxKustomizationGenerator.generate(dir, spec);
                Decryption decryption = Decryption.of(spec, variables);
                decryption.decryptSources(root, dir);
                ResourceList built = kustomizer.build(dir);
                List<Map<String, Object>> decrypted = decryption.decryptObjects(built.objects());
                Map<String, String> vars;
                try {
                    vars = PostBuild.variables(spec.postBuild(), variables);
                } catch (PostBuild.SubstitutionException e) {
                    return RenderOutcome.retryable(FluxReasons.BUILD_FAILED, e.getMessage());
                }
                List<Map<String, Object>> objects;
                try {
                    objects = PostBuild.apply(decrypted, spec.commonMetadata(), vars,
                            PostBuild.substitutes(spec.postBuild(), vars), strictSubstitutions);
                } catch (PostBuild.UndefinedVariableException e) {
                    return RenderOutcome.retryable(FluxReasons.BUILD_FAILED, e.getMessage());
                }
                return RenderOutcome.of(Bundle.of(json.writeValueAsString(objects), objects.size()));
            } catch (BuildCancelledException e) {
                return RenderOutcome.retryable(FluxReasons.BUILD_FAILED, relative(e.getMessage()));
            } catch (KustomizeException e) {
                return RenderOutcome.failed(FluxReasons.BUILD_FAILED, "kustomize build failed: " + relative(e.getMessage()));
            } catch (Decryption.Failure e) {
                return e.outcome();
            }
        } catch (JsonProcessingException e) {
            return RenderOutcome.failed(FluxReasons.BUILD_FAILED, "cannot serialize bundle: " + e.getOriginalMessage());
        } catch (IOException e) {
            return RenderOutcome.failed(FluxReasons.ARTIFACT_FAILED, "cannot read revision " + revision + ": " + e.getMessage());
        }
    }

    private static String relative(String message) {
        return message == null ? "" : message.replace("/source/", "");
    }
}
