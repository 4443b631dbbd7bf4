package dev.tollgate.common.request;

import dev.tollgate.common.error.Problems;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;
import java.math.BigInteger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * A body larger than the service takes ({@code quarkus.http.limits.max-body-size}) is refused with 413 as
 * problem+json ({@code body-too-large}, naming the limit), as every other refusal: one that says its length is
 * refused before it is read, and one that grows past the limit as it comes (chunked) when the framework stops
 * reading it. Without this the framework answered 413 with no body.
 */
@ApplicationScoped
public class BodyLimits {

    /** Right after {@link RequestIds}, so that the answer names the request's id. */
    private static final int ORDER = Integer.MIN_VALUE + 101;

    private final long most;
    private final EarlyAnswers answers;

    public BodyLimits(@ConfigProperty(name = "quarkus.http.limits.max-body-size", defaultValue = "10240K") MemorySize most,
            EarlyAnswers answers) {
        this.most = most.asLongValue();
        this.answers = answers;
    }

    void route(@Observes Router router) {
        router.route().order(ORDER).handler(this::declared);
        router.route().order(ORDER).failureHandler(this::grown);
    }

    private void declared(RoutingContext request) {
        String length = request.request().getHeader("Content-Length");
        if (length != null && length.chars().allMatch(Character::isDigit) && !length.isEmpty()
                && new BigInteger(length).compareTo(BigInteger.valueOf(most)) > 0) {
            refuse(request);
            return;
        }
        request.next();
    }

    private void grown(RoutingContext request) {
        if (request.statusCode() == 413 && !request.response().headWritten()) {
            refuse(request);
            return;
        }
        request.next();
    }

    private void refuse(RoutingContext request) {
        answers.refuse(request, Problems.builder(Response.Status.REQUEST_ENTITY_TOO_LARGE, "body-too-large",
                "Payload Too Large")
                .withDetail("the request body is larger than this service takes: at most " + readable(most)).build(),
                true);
    }

    /** {@code bytes} as people write it: 64 KiB, 10 MiB. */
    static String readable(long bytes) {
        if (bytes % (1024 * 1024) == 0) {
            return bytes / (1024 * 1024) + " MiB";
        }
        return bytes % 1024 == 0 ? bytes / 1024 + " KiB" : bytes + " bytes";
    }
}
