package dev.tollgate.common.request;

import dev.tollgate.common.error.Problems;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;
import java.util.Locale;

/**
 * No path with a matrix parameter ({@code ;}, or {@code %3B}) is served: JAX-RS matches {@code /auth/internal;x/...}
 * as {@code /auth/internal/...}, so a gateway rule that keeps a path from the public (the internal endpoints) could be
 * passed by spelling it so. Tollgate's APIs take no matrix parameters, so every such request is a 404, before
 * authentication or any route sees it.
 */
@ApplicationScoped
public class MatrixParameters {

    /** Right after {@link RequestIds}, so that the answer names the request's id. */
    private static final int ORDER = Integer.MIN_VALUE + 101;

    private final EarlyAnswers answers;

    public MatrixParameters(EarlyAnswers answers) {
        this.answers = answers;
    }

    void route(@Observes Router router) {
        router.route().order(ORDER).handler(this::refuse);
    }

    private void refuse(RoutingContext request) {
        String path = request.request().path();
        if (path != null && (path.indexOf(';') >= 0 || path.toLowerCase(Locale.ROOT).contains("%3b"))) {
            answers.refuse(request, Problems.of(Response.Status.NOT_FOUND, "not-found",
                    "no resource is served at a path with matrix parameters (';')"), false);
            return;
        }
        request.next();
    }
}
