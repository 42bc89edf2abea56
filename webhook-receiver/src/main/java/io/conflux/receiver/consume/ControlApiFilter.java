package io.conflux.receiver.consume;

import io.conflux.receiver.decide.ControlAccess;
import io.conflux.receiver.decide.ReceiverConfig;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;
import org.jboss.resteasy.reactive.server.SimpleResourceInfo;

/**
 * Guards the control API: a request matched to any REST resource other than the webhooks' ({@link WebhookResource},
 * {@code /hook/*}, authenticated per Receiver) — today {@code /api/reconcile/...} — is let through only with the bearer
 * token of {@code conflux.receiver.control-token-file} ({@link ControlAccess}); otherwise it is answered 401 or 403
 * with JSON {@code {"status": "error", "message"}} before the resource runs. Deny by default: a resource added later is
 * guarded without being listed here, whatever its path. Health ({@code /q/health}) is not a REST resource and stays
 * open. The file is read at each request, so a rotated token applies at once.
 */
public class ControlApiFilter {
    private static final Logger LOG = Logger.getLogger(ControlApiFilter.class);

    @Inject
    ReceiverConfig config;

    /**
     * @param request  the request
     * @param resource the resource it was matched to
     * @return null to proceed, or the refusal
     */
    @ServerRequestFilter
    public Response authenticate(ContainerRequestContext request, SimpleResourceInfo resource) {
        if (resource.getResourceClass() == WebhookResource.class) {
            return null;
        }
        String path = request.getUriInfo().getPath();
        ControlAccess access = ControlAccess.check(request.getHeaderString(HttpHeaders.AUTHORIZATION), token());
        if (access.allowed()) {
            return null;
        }
        LOG.warnf("control API request %s %s refused (%d): %s", request.getMethod(), path, access.status(), access.message());
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "error");
        body.put("message", access.message());
        Response.ResponseBuilder refusal = Response.status(access.status()).entity(body).type(MediaType.APPLICATION_JSON);
        return access.status() == 401 ? refusal.header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").build() : refusal.build();
    }

    /** @return the configured token, null when none is configured or the file cannot be read (logged) */
    private String token() {
        Path file = config.controlTokenFile().orElse(null);
        if (file == null) {
            return null;
        }
        try {
            return Files.readString(file, StandardCharsets.UTF_8).trim();
        } catch (IOException e) {
            LOG.errorf("conflux.receiver.control-token-file %s cannot be read (%s): the control API is off", file,
                    e.getClass().getSimpleName());
            return null;
        }
    }
}
