package io.conflux.renderer.persist;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import io.smallrye.mutiny.Uni;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.util.List;
import java.util.Objects;

/**
 * Table {@code generated_artifact}: per ExternalArtifact an ArtifactGenerator produced, the content of its last
 * artifact (a deterministic zip, {@code io.conflux.renderer.generate.ArtifactContent}), where Flux's source-watcher
 * keeps a tarball in its storage. Every replica renders the ExternalArtifact's Kustomizations from this row; its
 * revision and sequence number are also in {@link SourceArtifact} (kind {@code ExternalArtifact}), as for every source.
 */
@Entity
@Table(name = "generated_artifact")
@IdClass(GeneratedArtifact.Key.class)
public class GeneratedArtifact extends PanacheEntityBase {
    @Id
    public String namespace;
    @Id
    public String name;
    /** The ArtifactGenerator's name (same namespace). */
    public String generator;
    /** {@code latest@sha256:<hex>}, or the revision of the source named by {@code spec.artifacts[].revision}. */
    @Column(columnDefinition = "text")
    public String revision;
    /** {@code sha256:<hex>} of the content ({@code io.conflux.git.ArtifactDigest}). */
    public String digest;
    /** The revision named by {@code originRevision}, null when none. */
    @Column(name = "origin_revision", columnDefinition = "text")
    public String originRevision;
    /** The files, zipped. */
    @Column(columnDefinition = "bytea")
    public byte[] content;

    /** @return the row of ExternalArtifact {@code namespace/name}; null item when none */
    public static Uni<GeneratedArtifact> of(String namespace, String name) {
        return find("namespace = ?1 and name = ?2", namespace, name).firstResult();
    }

    /** @return the rows of the ExternalArtifacts generator {@code namespace/generator} produced */
    public static Uni<List<GeneratedArtifact>> ofGenerator(String namespace, String generator) {
        return list("namespace = ?1 and generator = ?2", namespace, generator);
    }

    /** Deletes the row of {@code namespace/name}, if any; must run inside a transaction. */
    public static Uni<Void> forget(String namespace, String name) {
        return delete("namespace = ?1 and name = ?2", namespace, name).replaceWithVoid();
    }

    /**
     * Stores (insert or replace) the content of ExternalArtifact {@code namespace/name}; must run inside a transaction.
     */
    public static Uni<Void> store(String namespace, String name, String generator, String revision, String digest,
                                  String originRevision, byte[] content) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "insert into generated_artifact (namespace, name, generator, revision, digest, origin_revision, content, updated_at)"
                                + " values (:namespace, :name, :generator, :revision, :digest, :origin, :content, now())"
                                + " on conflict (namespace, name) do update set generator = excluded.generator,"
                                + " revision = excluded.revision, digest = excluded.digest,"
                                + " origin_revision = excluded.origin_revision, content = excluded.content, updated_at = now()")
                .setParameter("namespace", namespace)
                .setParameter("name", name)
                .setParameter("generator", generator)
                .setParameter("revision", revision)
                .setParameter("digest", digest)
                .setParameter("origin", originRevision)
                .setParameter("content", content)
                .executeUpdate())
                .replaceWithVoid();
    }

    /** The primary key: namespace and name. */
    public static class Key implements Serializable {
        private static final long serialVersionUID = 1L;
        public String namespace;
        public String name;

        /** For Hibernate. */
        public Key() {
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
