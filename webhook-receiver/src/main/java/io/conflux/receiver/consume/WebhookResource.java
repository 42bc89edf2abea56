package io.conflux.receiver.consume;

import io.conflux.receiver.decide.WebhookHandler;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * {@code POST /hook/{digest}}: Flux-compatible webhook endpoint of the Receivers (GitHub, GitLab, generic,
 * generic-hmac). The raw body is kept byte for byte for signature checks. Answers JSON
 * {@code {"status": "accepted"|"ignored"|"duplicate"|"error", ...}} with the statuses listed in
 * {@link WebhookHandler}.
 */
@Path("/hook")
public class WebhookResource {
    @Inject
    WebhookHandler handler;

    /**
     * @param digest  the 64 hex digits of the Receiver's path
     * @param headers request headers (signature, event, delivery id)
     * @param body    the raw body
     * @return the reply
     */
    @POST
    @Path("/{digest}")
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> receive(@PathParam("digest") String digest, @Context HttpHeaders headers, byte[] body) {
        return handler.handle(digest, headers::getHeaderString, body)
                .map(reply -> Response.status(reply.status()).entity(reply.body()).type(MediaType.APPLICATION_JSON).build());
    }
}
