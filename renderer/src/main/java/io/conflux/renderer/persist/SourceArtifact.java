package io.conflux.renderer.persist;

import io.conflux.model.meta.ObjectKey;
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
 * Table {@code source_artifact}: per source object (GitRepository, OCIRepository, Bucket, HelmChart,
 * ExternalArtifact; keyed by kind, namespace and name), the last artifact whose content the renderer fetched. Flux's
 * source-controller stores each artifact it fetches and keeps serving the last one in {@code status.artifact} while
 * later revisions cannot be fetched; this row is what lets a restarted renderer do the same once the receiver has
 * written a new revision (and cleared the digest) to the status.
 */
@Entity
@Table(name = "source_artifact")
@IdClass(SourceArtifact.Key.class)
public class SourceArtifact extends PanacheEntityBase {
    /** The source's kind, e.g. {@code GitRepository} or {@code OCIRepository}. */
    @Id
    public String kind;
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

    /** @return the row as Flux's {@code status.artifact}, its path in source-controller's layout */
    public Artifact artifact() {
        return new Artifact(revision, digest, lastUpdateTime, url, Artifact.path(kind, namespace, name, digest));
    }

    /** @return the last artifact stored of {@code source}; null item when none is stored */
    public static Uni<SourceArtifact> last(ObjectKey source) {
        return find("kind = ?1 and namespace = ?2 and name = ?3", source.kind(), source.namespace(), source.name())
                .firstResult();
    }

    /** @return the last artifacts stored of the sources of every kind in {@code namespace} */
    public static Uni<java.util.List<SourceArtifact>> inNamespace(String namespace) {
        return list("namespace", namespace);
    }

    /** Deletes the artifact stored for {@code source}, if any; must run inside a transaction. */
    public static Uni<Void> forget(ObjectKey source) {
        return delete("kind = ?1 and namespace = ?2 and name = ?3", source.kind(), source.namespace(), source.name())
                .replaceWithVoid();
    }

    /**
     * Records {@code artifact} as the last one stored of {@code source}, replacing the previous
     * one ({@code insert … on conflict do update}, so that the first fetches of a repository by two replicas cannot
     * collide); must run inside a transaction. Another revision or URL than the stored one takes the next number of
     * {@code source_artifact_sequence} ({@link #sequence}); the same one keeps its number.
     */
    public static Uni<Void> store(ObjectKey source, Artifact artifact) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "insert into source_artifact (kind, namespace, name, revision, digest, url, last_update_time, sequence)"
                                + " values (:kind, :namespace, :name, :revision, :digest, :url, :time, nextval('source_artifact_sequence'))"
                                + " on conflict (kind, namespace, name) do update set revision = excluded.revision,"
                                + " digest = excluded.digest, url = excluded.url, last_update_time = excluded.last_update_time,"
                                + " sequence = case when source_artifact.revision = excluded.revision"
                                + " and source_artifact.url = excluded.url then source_artifact.sequence else excluded.sequence end")
                .setParameter("kind", source.kind())
                .setParameter("namespace", source.namespace())
                .setParameter("name", source.name())
                .setParameter("revision", artifact.revision())
                .setParameter("digest", artifact.digest())
                .setParameter("url", artifact.url())
                .setParameter("time", artifact.lastUpdateTime())
                .executeUpdate())
                .replaceWithVoid();
    }

    /** The primary key: the source's kind, namespace and name. */
    public static class Key implements Serializable {
        private static final long serialVersionUID = 1L;
        public String kind;
        public String namespace;
        public String name;

        /** For Hibernate. */
        public Key() {
        }

        /** The key of source {@code kind/namespace/name}. */
        public Key(String kind, String namespace, String name) {
            this.kind = kind;
            this.namespace = namespace;
            this.name = name;
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Key k && Objects.equals(kind, k.kind) && Objects.equals(namespace, k.namespace) && Objects.equals(name, k.name);
        }

        @Override
        public int hashCode() {
            return Objects.hash(kind, namespace, name);
        }
    }
}
