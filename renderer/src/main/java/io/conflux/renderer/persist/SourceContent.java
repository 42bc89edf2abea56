package io.conflux.renderer.persist;

import io.conflux.model.meta.ObjectKey;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import java.util.List;

/**
 * Table {@code source_content} (migration V7): the tar+gzip of the last stored artifact of an OCIRepository or
 * Bucket, one row per source object, written in the transaction that records its {@link SourceArtifact}; what every
 * replica renders (a Bucket's objects are mutable, so the bytes the owner fetched are kept, as source-controller keeps
 * its artifact tarball).
 *
 * @param revision the artifact's revision
 * @param digest   {@code sha256:<hex>} of {@code content}
 * @param content  the tar+gzip
 */
public record SourceContent(String revision, String digest, byte[] content) {

    /**
     * Records {@code content} as {@code source}'s; must run inside a transaction.
     *
     * @return a Uni completing when written
     */
    public static Uni<Void> store(ObjectKey source, SourceContent content) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "insert into source_content (kind, namespace, name, revision, digest, content)"
                                + " values (:kind, :namespace, :name, :revision, :digest, :content)"
                                + " on conflict (kind, namespace, name) do update set revision = excluded.revision,"
                                + " digest = excluded.digest, content = excluded.content")
                .setParameter("kind", source.kind())
                .setParameter("namespace", source.namespace())
                .setParameter("name", source.name())
                .setParameter("revision", content.revision())
                .setParameter("digest", content.digest())
                .setParameter("content", content.content())
                .executeUpdate())
                .replaceWithVoid();
    }

    /**
     * Reads {@code source}'s content; must run in a session.
     *
     * @return a Uni of the content, null item when none is stored
     */
    public static Uni<SourceContent> of(ObjectKey source) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "select revision, digest, content from source_content where kind = :kind and namespace = :namespace"
                                + " and name = :name", Object[].class)
                .setParameter("kind", source.kind())
                .setParameter("namespace", source.namespace())
                .setParameter("name", source.name())
                .getResultList())
                .map(SourceContent::first);
    }

    private static SourceContent first(List<Object[]> rows) {
        if (rows.isEmpty()) {
            return null;
        }
        Object[] r = rows.get(0);
        return new SourceContent((String) r[0], (String) r[1], (byte[]) r[2]);
    }

    /** Deletes {@code source}'s content; must run inside a transaction. */
    public static Uni<Void> forget(ObjectKey source) {
        return Panache.getSession().chain(session -> session.createNativeQuery(
                        "delete from source_content where kind = :kind and namespace = :namespace and name = :name")
                .setParameter("kind", source.kind())
                .setParameter("namespace", source.namespace())
                .setParameter("name", source.name())
                .executeUpdate())
                .replaceWithVoid();
    }
}
