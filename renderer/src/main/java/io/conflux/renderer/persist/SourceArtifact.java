package io.conflux.renderer.persist;

import io.conflux.model.source.Artifact;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.Objects;

/**
 * Table {@code source_artifact}: per GitRepository, the last artifact whose content the renderer fetched. Flux's
 * source-controller stores each artifact it fetches and keeps serving the last one in {@code status.artifact} while
 * later revisions cannot be fetched; this row is what lets a restarted renderer do the same once the receiver has
 * written a new revision (and cleared the digest) to the status.
 */
@Entity
@Table(name = "source_artifact")
@IdClass(SourceArtifact.Key.class)
public class SourceArtifact extends PanacheEntityBase {
    @Id
    public String namespace;
    @Id
    public String name;
    /** {@code status.artifact.revision}, e.g. {@code main@sha1:<40 hex>}. */
    public String revision;
    /** {@code status.artifact.digest} ({@code sha256:<hex>}), null when it could not be computed. */
    public String digest;
    /** {@code status.artifact.url}: the repository URL. */
    @Column(columnDefinition = "text")
    public String url;
    /** {@code status.artifact.lastUpdateTime}, RFC 3339 text as written to the status. */
    public String lastUpdateTime;
    /**
     * The artifact's number in sequence {@code source_artifact_sequence}: taken anew whenever another revision (or URL)
     * is stored for the GitRepository, kept when the same one is stored again; so a later artifact of a source always
     * has a higher number, also across a delete and re-create of the GitRepository.
     */
    public long sequence;

    /** @return the row as Flux's {@code status.artifact} */
    public Artifact artifact() {
        return new Artifact(revision, digest, lastUpdateTime, url, null);
    }

    /** @return the last artifact fetched of GitRepository {@code namespace/name}; null item when none is stored */
    public static Uni<SourceArtifact> last(String namespace, String name) {
        return find("namespace = ?1 and name = ?2", namespace, name).firstResult();
    }

    /** @return the last artifacts fetched of the GitRepositories of {@code namespace} (includes are in the same namespace) */
    public static Uni<java.util.List<SourceArtifact>> inNamespace(String namespace) {
        return list("namespace", namespace);
    }

    /** Deletes the artifact stored for GitRepository {@code namespace/name}, if any; must run inside a transaction. */
    public static Uni<Void> forget(String namespace, String name) {
        return delete("namespace = ?1 and name = ?2", namespace, name).replaceWithVoid();
    }

    /**
     * Records {@code artifact} as the last one fetched of GitRepository {@code namespace/name}, replacing the previous
     * one ({@code insert … on conflict do update}, so that the first fetches of a repository by two replicas cannot
     * collide); must run inside a transaction. Another revision or URL than the stored one takes the next number of
     * {@code source_artifact_sequence} ({@link #sequence}); the same one keeps its number.
     */
    public static Uni<Void> store(String namespace, String name, Artifact artifact) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "insert into source_artifact (namespace, name, revision, digest, url, last_update_time, sequence)"
                                + " values (:namespace, :name, :revision, :digest, :url, :time, nextval('source_artifact_sequence'))"
                                + " on conflict (namespace, name) do update set revision = excluded.revision,"
                                + " digest = excluded.digest, url = excluded.url, last_update_time = excluded.last_update_time,"
                                + " sequence = case when source_artifact.revision = excluded.revision"
                                + " and source_artifact.url = excluded.url then source_artifact.sequence else excluded.sequence end")
                .setParameter("namespace", namespace)
                .setParameter("name", name)
                .setParameter("revision", artifact.revision())
                .setParameter("digest", artifact.digest())
                .setParameter("url", artifact.url())
                .setParameter("time", artifact.lastUpdateTime())
                .executeUpdate())
                .replaceWithVoid();
    }

    /** The primary key: the GitRepository's namespace and name. */
    public static class Key implements Serializable {
        private static final long serialVersionUID = 1L;
        public String namespace;
        public String name;

        /** For Hibernate. */
        public Key() {
        }

        /** The key of GitRepository {@code namespace/name}. */
        public Key(String namespace, String name) {
            this.namespace = namespace;
            this.name = name;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(namespace, k.namespace) && Objects.equals(name, k.name);
        }

        @Override
        public int hashCode() {
            return Objects.hash(namespace, name);
        }
    }
}
