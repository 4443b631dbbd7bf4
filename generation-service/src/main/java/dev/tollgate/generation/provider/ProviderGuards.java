package dev.tollgate.generation.provider;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.generation.config.GenerationConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.smallrye.faulttolerance.api.CircuitBreakerState;
import io.smallrye.faulttolerance.api.Guard;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.util.TypeLiteral;
import java.time.Duration;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jboss.logging.Logger;

/**
 * One SmallRye Fault Tolerance guard per provider, for whole and streamed answers alike: a bulkhead that runs at
 * most {@code max-concurrent-calls} at once and lets {@code waiting-calls} wait (past them a call fails fast, as
 * {@link ProviderFailure#SATURATED}, and the route moves on), retries with
 * exponential backoff and jitter on retryable failures only (429, 5xx, timeouts, broken connections; never a
 * rejected request or a wrong key, never a stream that has started), and a circuit breaker that stops calling a
 * provider that keeps failing, a stream cut short included, and lets one call through after a pause. Each
 * attempt has the provider's timeout: for a whole answer, to the answer; for a stream, to each next piece (a
 * long answer that keeps coming is not cut). The breaker's state is a gauge ({@code tollgate_provider_breaker_state}: 0 closed,
 * 1 half open,
 * 2 open) and part of readiness's data. The offline model is called without a guard.
 */
@ApplicationScoped
public class ProviderGuards {

    private static final Logger LOG = Logger.getLogger(ProviderGuards.class);
    private static final TypeLiteral<Uni<Completion>> COMPLETION = new TypeLiteral<>() {
    };

    private final GenerationConfig config;
    private final MeterRegistry registry;
    private final ProviderSpans spans;
    private final Map<String, Guard> guards = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> states = new ConcurrentHashMap<>();

    public ProviderGuards(GenerationConfig config, MeterRegistry registry, ProviderSpans spans) {
        this.config = config;
        this.spans = spans;
        this.registry = registry;
    }

    /** Asks {@code provider} under its guard. */
    public Uni<Completion> complete(ChatProvider provider, ChatCall request) {
        Uni<Completion> call = Uni.createFrom().deferred(() -> provider.complete(request));
        if (provider instanceof OfflineProvider) {
            return spans.chat(provider, request, false, call);
        }
        Duration timeout = config.providers().get(provider.name()).timeout();
        // the timeout inside the span: an attempt that times out is an error span naming the TimeoutException
        return guarded(provider, spans.chat(provider, request, false,
                call.ifNoItem().after(timeout).failWith(() -> timedOut(provider, timeout))));
    }

    /** Asks {@code provider} for embeddings under its guard (the same guard as its chat completions). */
    public Uni<Completion> embed(ChatProvider provider, ObjectNode document) {
        Uni<Completion> call = Uni.createFrom().deferred(() -> provider.embed(document));
        if (provider instanceof OfflineProvider) {
            return spans.embeddings(provider, call);
        }
        Duration timeout = config.providers().get(provider.name()).timeout();
        return guarded(provider, spans.embeddings(provider,
                call.ifNoItem().after(timeout).failWith(() -> timedOut(provider, timeout))));
    }

    /**
     * Streams {@code provider}'s answer under its guard, handing each piece to {@code pieces} as it comes; the
     * item is the whole answer. Once a piece has been handed on, a failure is a {@link StreamInterrupted}: the
     * caller has part of this answer, so neither a retry nor another provider may start over.
     */
    public Uni<Completion> stream(ChatProvider provider, ChatCall call, Consumer<ChatChunk.Text> pieces) {
        AtomicBoolean started = new AtomicBoolean();
        Duration timeout = provider instanceof OfflineProvider ? Duration.ofSeconds(30)
                : config.providers().get(provider.name()).timeout();
        Uni<Completion> attempt = spans.chat(provider, call, true, Uni.createFrom().deferred(() -> provider.stream(call)
                .ifNoItem().after(timeout).failWith(() -> timedOut(provider, timeout))
                .onItem().invoke(chunk -> {
                    if (chunk instanceof ChatChunk.Text text) {
                        started.set(true);
                        pieces.accept(text);
                    }
                })
                .select().where(chunk -> chunk instanceof ChatChunk.Done)
                .toUni()
                // however steadily it dribbles, a stream ends at the longest a stream may run
                .ifNoItem().after(config.maxStreamDuration()).failWith(() -> new TimeoutException(provider.name()
                        + "'s stream ran longer than " + config.maxStreamDuration()))
                .onItem().ifNull().failWith(() -> new StreamInterrupted("the stream ended without an answer", null))
                .map(done -> ((ChatChunk.Done) done).completion())
                .onFailure(e -> started.get() && !(e instanceof StreamInterrupted))
                .transform(e -> new StreamInterrupted("the stream broke after part of the answer was sent: "
                        + e.getMessage(), e))));
        return provider instanceof OfflineProvider ? attempt : guarded(provider, attempt);
    }

    private static TimeoutException timedOut(ChatProvider provider, Duration timeout) {
        return new TimeoutException(provider.name() + " did not answer within " + timeout.toMillis() + " ms");
    }

    private Uni<Completion> guarded(ChatProvider provider, Uni<Completion> attempt) {
        Duration longest = config.resilience().maxRetryDelay();
        // a provider that names its pause (Retry-After) gets it before the guard's own backoff; one that asks for
        // longer than max-retry-delay is not waited for: the route moves on
        int attempts = 1 + config.resilience().maxRetries();
        AtomicInteger made = new AtomicInteger();
        Uni<Completion> honouring = attempt.onSubscription().invoke(() -> made.incrementAndGet())
                // the last attempt's pause is not waited for: no retry follows it
                .onFailure(e -> ProviderFailure.pauseAskedFor(e).isPresent() && made.get() < attempts)
                .recoverWithUni(e -> {
                    Duration pause = ProviderFailure.pauseAskedFor(e).orElseThrow();
                    if (pause.compareTo(longest) > 0) {
                        LOG.infof("providers: %s asks for a pause of %d ms, longer than max-retry-delay; not waiting",
                                provider.name(), pause.toMillis());
                        return Uni.createFrom().failure(new ProviderBusy(provider.name(), pause, e));
                    }
                    return Uni.createFrom().voidItem().onItem().delayIt().by(pause)
                            .chain(() -> Uni.createFrom().<Completion> failure(e));
                });
        try {
            return guard(provider.name()).call(() -> honouring
                    .onFailure().invoke(e -> registry.counter("tollgate.provider.attempts", "provider", provider.name(),
                            "outcome", ProviderFailure.of(e).label()).increment())
                    .onItem().invoke(() -> registry.counter("tollgate.provider.attempts", "provider", provider.name(),
                            "outcome", "answered").increment()),
                    COMPLETION);
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
                .withBulkhead()
                .limit(settings.maxConcurrentCalls().orElse(resilience.maxConcurrentCalls()))
                .queueSize(settings.waitingCalls().orElse(resilience.waitingCalls()))
                .onRejected(() -> registry.counter("tollgate.provider.saturated", "provider", provider).increment())
                .done()
                .build();
    }
}
