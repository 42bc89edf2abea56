package io.conflux.embedded;

/**
 * Decides whether the in-memory API server serves a request (discovery is always served, as it is to every
 * authenticated user of a real cluster). A denied request is answered {@code 403 Forbidden} with the real server's
 * Status and message. Called on the server's request thread, one request at a time.
 */
@FunctionalInterface
public interface Authorizer {

    /** Serves every request (the default). */
    Authorizer ALLOW_ALL = request -> true;

    /** @return whether {@code request} is allowed */
    boolean allows(AccessRequest request);
}
