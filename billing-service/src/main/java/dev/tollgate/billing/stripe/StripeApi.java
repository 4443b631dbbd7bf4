package dev.tollgate.billing.stripe;

import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.ApiException;
import com.stripe.exception.RateLimitException;
import com.stripe.exception.StripeException;
import com.stripe.net.RequestOptions;
import dev.tollgate.common.error.Problems;
import io.quarkiverse.resteasy.problem.HttpProblem;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;

/**
 * Stripe for reactive code: each call runs on a worker thread through {@link StripeCalls} (retried there) and
 * its result comes back on the caller's Vert.x context, so a database session can go on after it. A call that
 * still fails is answered 503 {@code stripe-unavailable} (Stripe throttled or failed on every attempt) or 502
 * {@code stripe-refused} (Stripe refused the request).
 */
@ApplicationScoped
public class StripeApi {

    private final StripeCalls calls;
    private final Vertx vertx;

    public StripeApi(StripeCalls calls, Vertx vertx) {
        this.calls = calls;
        this.vertx = vertx;
    }

    /** Runs {@code call} for a request: a failure is answered as a problem (503 or 502). */
    public <T> Uni<T> run(String operation, StripeCalls.Call<T> call) {
        return call(operation, call)
                .onFailure(StripeException.class).transform(e -> problem(operation, (StripeException) e));
    }

    /** Runs {@code call}; a failure is Stripe's own exception, for a caller that tells a refusal from an outage. */
    public <T> Uni<T> call(String operation, StripeCalls.Call<T> call) {
        return vertx.executeBlocking(() -> calls.call(operation, call), false);
    }

    /** Options carrying {@code idempotencyKey}: every attempt of one mutating request is the same to Stripe. */
    public static RequestOptions idempotent(String idempotencyKey) {
        return RequestOptions.builder().setIdempotencyKey(idempotencyKey).build();
    }

    private static HttpProblem problem(String operation, StripeException e) {
        if (e instanceof RateLimitException || e instanceof ApiException || e instanceof ApiConnectionException) {
            return Problems.builder(Response.Status.SERVICE_UNAVAILABLE, "stripe-unavailable", "Stripe Unavailable")
                    .withDetail("Stripe did not complete '" + operation + "' after several attempts (last: "
                            + (e.getStatusCode() == null ? "no connection" : "HTTP " + e.getStatusCode())
                            + "); nothing was charged twice, try again shortly")
                    .withHeader("Retry-After", 5)
                    .build();
        }
        return Problems.builder(Response.Status.BAD_GATEWAY, "stripe-refused", "Stripe Refused")
                .withDetail("Stripe refused '" + operation + "' (HTTP " + e.getStatusCode() + ", code "
                        + e.getCode() + "): " + e.getMessage())
                .build();
    }
}
