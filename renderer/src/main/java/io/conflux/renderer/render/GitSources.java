package io.conflux.renderer.render;

import com.google.common.base.Suppliers;
import io.conflux.git.GitCredentials;
import io.conflux.git.GitException;
import io.conflux.git.GitSource;
import io.conflux.model.meta.GoDuration;
import io.conflux.model.meta.LocalObjectReference;
import io.conflux.model.meta.ObjectKey;
import io.conflux.model.source.GitRepository;
import io.conflux.model.source.GitRepositoryInclude;
import io.conflux.model.source.GitRepositorySpec;
import io.conflux.model.source.Revision;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Turns a Kustomization's GitRepository into the {@link GitSource} to render, as Flux's source-controller assembles
 * the artifact: the repository's identity (its own mirror, never another object's: {@link io.conflux.git.GitMirror}),
 * its URL (which must be an http, https or ssh URL, checked when it is read), the repository's credentials
 * ({@code spec.secretRef}, HTTPS or SSH keys, its Secret read only when the mirror has to fetch), {@code spec.timeout},
 * {@code spec.ignore}, and its {@code spec.include}s (GitRepositories of the same namespace) at their latest revisions,
 * recursively. Also answers which GitRepositories include which, so that a new revision of an included repository
 * renders the including one's Kustomizations again.
 */
final class GitSources {
    /**
     * Where a GitRepository is now: its latest stored artifact ({@link StoredSources}).
     *
     * @param url      the URL the revision was fetched from
     * @param revision e.g. {@code main@sha1:<40 hex>}
     * @param sequence the artifact's sequence number: grows with every new revision stored for any source
     */
    record At(String url, String revision, long sequence) {
    }

    private final Function<ObjectKey, Optional<GitRepository>> repositories;
    private final Function<ObjectKey, Optional<At>> latest;
    private final BiFunction<String, String, Map<String, String>> secrets;

    /**
     * @param repositories the GitRepositories, by key (the informer cache)
     * @param latest       the latest stored artifact of a GitRepository, if one is stored ({@link StoredSources})
     * @param secrets      Secret data by (namespace, name), decoded; null when the Secret does not exist (blocking)
     */
    GitSources(Function<ObjectKey, Optional<GitRepository>> repositories,
               Function<ObjectKey, Optional<At>> latest,
               BiFunction<String, String, Map<String, String>> secrets) {
        this.repositories = repositories;
        this.latest = latest;
        this.secrets = secrets;
    }

    /**
     * @return the latest artifact stored of {@code source}, if any. Only a stored artifact counts: a revision in the
     *         GitRepository's status that the renderer has not fetched is not rendered (as kustomize-controller reads
     *         only the artifact source-controller stored)
     */
    Optional<At> known(ObjectKey source) {
        return latest.apply(source);
    }

    /** @return whether {@code source} includes {@code included}, directly or through other includes */
    boolean includes(ObjectKey source, ObjectKey included) {
        return includes(source, included, new HashSet<>());
    }

    private boolean includes(ObjectKey source, ObjectKey included, Set<ObjectKey> seen) {
        if (!seen.add(source)) {
            return false;
        }
        for (ObjectKey i : includedBy(source)) {
            if (i.equals(included) || includes(i, included, seen)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @return the revisions known now of what {@code source} includes, at any depth, as {@code name=revision} joined by
     * {@code ,} ({@code name=} while none is known); empty without includes or without a source
     */
    String includedRevisions(ObjectKey source) {
        return source == null ? "" : includedRevisions(source, new HashSet<>());
    }

    private String includedRevisions(ObjectKey source, Set<ObjectKey> seen) {
        if (!seen.add(source)) {
            return "";
        }
        List<String> parts = new ArrayList<>();
        for (ObjectKey i : includedBy(source)) {
            parts.add(i.name() + "=" + known(i).map(At::revision).orElse(""));
            String nested = includedRevisions(i, seen);
            if (!nested.isEmpty()) {
                parts.add(nested);
            }
        }
        return String.join(",", parts);
    }

    private List<ObjectKey> includedBy(ObjectKey source) {
        return repositories.apply(source)
                .map(GitRepository::getSpec)
                .map(spec -> spec.include() == null ? List.<GitRepositoryInclude>of() : spec.include())
                .orElse(List.of()).stream()
                .filter(i -> i.repository() != null && i.repository().name() != null)
                .map(i -> new ObjectKey(GitRepository.KIND, source.namespace(), i.repository().name()))
                .toList();
    }

    /**
     * The artifact content of GitRepository {@code key} at {@code revision}; blocking (reads Secrets).
     *
     * @throws GitException when a Secret named by {@code spec.secretRef} does not exist, an included GitRepository has
     *                      no revision yet (Flux: {@code IncludeUnavailable}, "no artifact available"), or the
     *                      includes form a cycle
     * @throws IllegalArgumentException when a {@code spec.timeout} or an included revision does not parse
     */
    GitSource resolve(ObjectKey key, String url, Revision revision) {
        return resolve(key, url, revision, Set.of(key));
    }

    private GitSource resolve(ObjectKey key, String url, Revision revision, Set<ObjectKey> path) {
        GitRepositorySpec spec = repositories.apply(key).map(GitRepository::getSpec).orElse(null);
        List<GitSource.Include> includes = new ArrayList<>();
        if (spec != null && spec.include() != null) {
            for (GitRepositoryInclude include : spec.include()) {
                if (include.repository() == null || include.repository().name() == null) {
                    throw new GitException("GitRepository " + key.namespace() + "/" + key.name()
                            + ": spec.include entry without repository.name");
                }
                ObjectKey included = new ObjectKey(GitRepository.KIND, key.namespace(), include.repository().name());
                if (path.contains(included)) {
                    throw new GitException("include '" + included.name() + "': include cycle through GitRepository "
                            + key.namespace() + "/" + key.name());
                }
                At at = known(included).orElseThrow(() -> new GitException("include '" + included.name()
                        + "': no artifact available for GitRepository " + included.namespace() + "/" + included.name()));
                Set<ObjectKey> next = new HashSet<>(path);
                next.add(included);
                includes.add(new GitSource.Include(resolve(included, at.url(), Revision.parse(at.revision()), next),
                        include.fromPath(), include.toPath()));
            }
        }
        return new GitSource(key, url, revision, credentials(key, spec == null ? null : spec.secretRef()),
                spec == null ? null : GoDuration.parseOr(spec.timeout(), null), spec == null ? null : spec.ignore(), includes);
    }

    /**
     * @return the credentials of {@code secretRef}, its Secret read when first asked for (only a fetch asks, {@link
     *         GitMirror}) and then kept; asking throws {@link GitException} when the Secret does not exist
     */
    private Supplier<GitCredentials> credentials(ObjectKey source, LocalObjectReference secretRef) {
        if (secretRef == null || secretRef.name() == null) {
            return () -> GitCredentials.NONE;
        }
        return Suppliers.memoize(() -> read(source, secretRef));
    }

    private GitCredentials read(ObjectKey source, LocalObjectReference secretRef) {
        Map<String, String> data = secrets.apply(source.namespace(), secretRef.name());
        if (data == null) {
            throw new GitException("failed to get secret '" + source.namespace() + "/" + secretRef.name() + "': not found");
        }
        Map<String, byte[]> bytes = new LinkedHashMap<>();
        data.forEach((k, v) -> bytes.put(k, v.getBytes(StandardCharsets.UTF_8)));
        return GitCredentials.fromSecretData(bytes);
    }
}
