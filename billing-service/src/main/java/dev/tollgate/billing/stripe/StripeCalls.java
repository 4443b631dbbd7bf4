package dev.tollgate.billing.stripe;

import com.stripe.StripeClient;
import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.ApiException;
import com.stripe.exception.RateLimitException;
import com.stripe.exception.StripeException;
import dev.tollgate.billing.config.BillingConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.faulttolerance.api.ExponentialBackoff;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.temporal.ChronoUnit;
import org.eclipse.microprofile.faulttolerance.Retry;
import org.jboss.logging.Logger;

/**
 * Stripe's API through stripe-java, on a worker thread. A call that Stripe throttled (429), failed (5xx) or that
 * did not connect is tried again with exponential backoff and jitter; a mutating call carries its idempotency key
 * in the {@code RequestOptions} its caller built once, so every attempt is the same request to Stripe and it is
 * applied at most once. Other refusals (4xx) are not retried.
 */
@ApplicationScoped
public class StripeCalls {

    private static final Logger LOG = Logger.getLogger(StripeCalls.class);

    /** One call to Stripe. */
    @FunctionalInterface
    public interface Call<T> {
        T on(StripeClient client) throws StripeException;
    }

    private final StripeClient client;
    private final MeterRegistry registry;

    public StripeCalls(BillingConfig config, MeterRegistry registry) {
        this.client = StripeClient.builder()
                .setApiKey(config.stripe().apiKey())
                .setApiBase(config.stripe().apiBase())
                .setConnectTimeout((int) config.stripe().connectTimeout().toMillis())
                .setReadTimeout((int) config.stripe().readTimeout().toMillis())
                // the retries are this class's, with the caller's idempotency key
                .setMaxNetworkRetries(0)
                .build();
        this.registry = registry;
    }

    /** Runs {@code call}; each attempt is counted by operation and outcome. Blocks: call it off the event loop. */
    @Retry(maxRetries = 4, delay = 200, jitter = 100, delayUnit = ChronoUnit.MILLIS, maxDuration = 30_000, retryOn = {
            RateLimitException.class, ApiException.class, ApiConnectionException.class })
    @ExponentialBackoff(factor = 2, maxDelay = 4_000)
    public <T> T call(String operation, Call<T> call) throws StripeException {
        try {
            T result = call.on(client);
            registry.counter("tollgate.billing.stripe.requests", "operation", operation, "outcome", "ok").increment();
            return result;
        } catch (StripeException e) {
            String outcome = e instanceof RateLimitException ? "throttled"
                    : e instanceof ApiException || e instanceof ApiConnectionException ? "failed" : "refused";
            registry.counter("tollgate.billing.stripe.requests", "operation", operation, "outcome", outcome).increment();
            LOG.warnf("billing: Stripe %s %s (status %s, request %s): %s", operation, outcome, e.getStatusCode(),
                    e.getRequestId(), e.getMessage());
            throw e;
        }
    }
}
