package dev.tollgate.generation.provider;

import dev.tollgate.generation.config.GenerationConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * One SmallRye Fault Tolerance guard per provider: a timeout per attempt, retries with exponential backoff and
 * jitter on retryable failures only (429, 5xx, timeouts, broken connections; never a rejected request or a
 * wrong key), and a circuit breaker that stops calling a provider that keeps failing and lets one call through
 * after a pause. The breaker's state is a gauge ({@code tollgate_provider_breaker_state}: 0 closed, 1 half open,
 * 2 open) and part of readiness's data. The offline model is called without a guard.
 */
@ApplicationScoped
public class ProviderGuards {

    private static final Logger LOG = Logger.getLogger(ProviderGuards.class);
    private static final TypeLiteral<Uni<Completion>> COMPLETION = new TypeLiteral<>() {
    };

    private final GenerationConfig config;
    private final MeterRegistry registry;
    private final Vertx vertx;
    private final Map<String, Guard> guards = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> states = new ConcurrentHashMap<>();

    public ProviderGuards(GenerationConfig config, MeterRegistry registry, Vertx vertx) {
        this.config = config;
        this.registry = registry;
        this.vertx = vertx;
    }

    /** Asks {@code provider} under its guard, off the event loop. */
    public Uni<Completion> complete(ChatProvider provider, ChatCall call) {
        // unordered: an ordered executeBlocking runs one call at a time per event loop (91 requests/s in the
        // gateway bench); calls of different requests have nothing to wait for each other
        Uni<Completion> attempt = Uni.createFrom().deferred(() -> vertx.executeBlocking(() -> provider.complete(call), false));
        if (provider instanceof OfflineProvider) {
            return attempt;
        }
        try {
            return guard(provider.name()).call(() -> attempt
                    .onFailure().invoke(e -> registry.counter("tollgate.provider.attempts", "provider", provider.name(),
                            "outcome", ProviderFailure.of(e).label()).increment())
                    .onItem().invoke(() -> registry.counter("tollgate.provider.attempts", "provider", provider.name(),
                            "outcome", "answered").increment()), COMPLETION);
        } catch (Exception e) {
            return Uni.createFrom().failure(e);
        }
    }

    /** Each guarded provider's breaker state, by provider. */
    public Map<String, String> breakerStates() {
        Map<String, String> result = new TreeMap<>();
        states.forEach((name, state) -> result.put(name, switch (state.get()) {
            case 0 -> "CLOSED";
            case 1 -> "HALF_OPEN";
            default -> "OPEN";
        }));
        return result;
    }

    /** The gauge's value: 0 closed, 1 half open, 2 open. */
    private static int gaugeValue(CircuitBreakerState state) {
        return switch (state) {
            case CLOSED -> 0;
            case HALF_OPEN -> 1;
            case OPEN -> 2;
        };
    }

    private Guard guard(String provider) {
        return guards.computeIfAbsent(provider, this::build);
    }

    private Guard build(String provider) {
        GenerationConfig.Resilience resilience = config.resilience();
        GenerationConfig.Provider settings = config.providers().get(provider);
        long timeout = settings.timeout().toMillis();
        AtomicInteger state = new AtomicInteger(gaugeValue(CircuitBreakerState.CLOSED));
        states.put(provider, state);
        registry.gauge("tollgate.provider.breaker.state", List.of(Tag.of("provider", provider)), state);
        return Guard.create()
                .withDescription("provider " + provider)
                .withRetry()
                    .maxRetries(resilience.maxRetries())
                    .delay(resilience.retryDelay().toMillis(), ChronoUnit.MILLIS)
                    .jitter(resilience.retryDelay().toMillis() / 2, ChronoUnit.MILLIS)
                    .maxDuration(resilience.overallTimeout().toMillis(), ChronoUnit.MILLIS)
                    .whenException(e -> ProviderFailure.of(e).retryable())
                    .withExponentialBackoff().factor(2).maxDelay(resilience.maxRetryDelay().toMillis(), ChronoUnit.MILLIS).done()
                    .beforeRetry(e -> {
                        registry.counter("tollgate.provider.retries", "provider", provider).increment();
                        LOG.infof("providers: %s failed (%s), retrying", provider, ProviderFailure.of(e).label());
                    })
                    .done()
                .withCircuitBreaker()
                    .name("provider-" + provider)
                    .requestVolumeThreshold(settings.breakerRequestVolume().orElse(resilience.breakerRequestVolume()))
                    .failureRatio(resilience.breakerFailureRatio())
                    .delay(resilience.breakerDelay().toMillis(), ChronoUnit.MILLIS)
                    .successThreshold(1)
                    .when(e -> ProviderFailure.of(e).countsAgainstProvider())
                    .onStateChange(next -> {
                        state.set(gaugeValue(next));
                        LOG.warnf("providers: %s circuit breaker is now %s", provider, next);
                    })
                    .done()
                .withTimeout().duration(timeout, ChronoUnit.MILLIS).done()
                .build();
    }
}
