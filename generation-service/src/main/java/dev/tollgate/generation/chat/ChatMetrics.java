package dev.tollgate.generation.chat;

import dev.tollgate.generation.provider.Completion;
import dev.tollgate.generation.provider.ProviderFailure;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * What the gateway reports per model, provider and outcome: {@code tollgate_generation_requests_total},
 * {@code tollgate_generation_tokens_total} (direction input or output), {@code tollgate_generation_cost_usd_total},
 * {@code tollgate_generation_first_token_seconds} (time to the first piece of a stream, to the whole answer
 * otherwise) and {@code tollgate_provider_fallbacks_total}. Retries and breaker state are the guards'.
 */
@ApplicationScoped
public class ChatMetrics {

    private final MeterRegistry registry;

    public ChatMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    /** An answer recorded: {@code completed}, or {@code interrupted} for a stream that broke off. */
    void answered(String model, Completion completion, String outcome, long costMicros) {
        requests(model, completion.provider(), outcome);
        tokens(model, completion.provider(), "input").increment(completion.inputTokens());
        tokens(model, completion.provider(), "output").increment(completion.outputTokens());
        Counter.builder("tollgate.generation.cost").baseUnit("usd")
                .description("What providers charge for the answers, as configured per provider")
                .tag("model", model).tag("provider", completion.provider())
                .register(registry).increment(costMicros / 1_000_000.0);
    }

    /** No provider answered: {@code failed-<kind>} with the last failure's kind. */
    void failed(String model, Throwable failure) {
        requests(model, "none", "failed-" + ProviderFailure.of(failure).label());
    }

    /** Refused before any provider was asked: over quota or rate, or a model outside the plan. */
    void refused(String model, String why) {
        requests(model, "none", "refused-" + why);
    }

    void fallback(String model, String to) {
        registry.counter("tollgate.provider.fallbacks", "route", model, "to", to).increment();
    }

    void firstToken(String model, String provider, long nanos) {
        Timer.builder("tollgate.generation.first.token")
                .description("Time from admission to the first piece of the answer")
                .tag("model", model).tag("provider", provider)
                .publishPercentileHistogram()
                .register(registry).record(Duration.ofNanos(nanos));
    }

    private void requests(String model, String provider, String outcome) {
        registry.counter("tollgate.generation.requests", "model", model, "provider", provider, "outcome", outcome)
                .increment();
    }

    private Counter tokens(String model, String provider, String direction) {
        return registry.counter("tollgate.generation.tokens", "model", model, "provider", provider,
                "direction", direction);
    }
}
