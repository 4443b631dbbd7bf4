package dev.tollgate.generation.chat;

import dev.tollgate.common.error.Problems;
import dev.tollgate.common.event.Entitlements;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.common.plan.TenantPlans;
import dev.tollgate.common.security.Caller;
import dev.tollgate.common.security.KeyLimits;
import dev.tollgate.gate.GateConfig;
import dev.tollgate.gate.GateDecision;
import dev.tollgate.gate.GateRequest;
import dev.tollgate.gate.GateResponses;
import dev.tollgate.gate.QuotaGate;
import dev.tollgate.gate.Reservation;
import dev.tollgate.generation.apikey.VerifiedKeys;
import dev.tollgate.generation.config.GenerationConfig;
import dev.tollgate.generation.openai.OpenAiErrors;
import dev.tollgate.generation.provider.ChatCall;
import dev.tollgate.generation.provider.ChatProvider;
import dev.tollgate.generation.provider.Completion;
import dev.tollgate.generation.provider.ProviderError;
import dev.tollgate.generation.provider.ProviderFailure;
import dev.tollgate.generation.provider.ProviderGuards;
import dev.tollgate.generation.provider.ProviderRoutes;
import dev.tollgate.generation.provider.Tokens;
import dev.tollgate.generation.record.RecordGeneration;
import io.quarkiverse.resteasy.problem.HttpProblem;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.function.BiFunction;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * One metered chat completion under the tenant's plan (its subscription's entitlements, or the free tier): the
 * model must be in the plan, the gate holds the worst case (the prompt's estimated tokens plus
 * {@code max_tokens} for each of the {@code n} choices, and their cost at the route's dearest provider) before any provider is
 * called, the route's
 * providers are tried in order, the generation and its usage are recorded in one transaction (or, when that fails,
 * the usage is made durable and the write kept for later: {@link RecordGeneration#recordSurely}), and the gate keeps
 * what the provider reported using. A streamed answer is billed for what was generated, also when it broke off, and
 * an answer whose caller went away is recorded and billed all the same.
 */
@ApplicationScoped
public class CompleteChat {

    private static final Logger LOG = Logger.getLogger(CompleteChat.class);

    private final ProviderRoutes routes;
    private final QuotaGate gate;
    private final GateConfig gateConfig;
    private final GenerationConfig config;
    private final TenantPlans plans;
    private final RecordGeneration record;
    private final ProviderGuards guards;
    private final ChatMetrics metrics;
    private final VerifiedKeys keys;

    public CompleteChat(ProviderRoutes routes, QuotaGate gate, GateConfig gateConfig, GenerationConfig config,
            TenantPlans plans, RecordGeneration record, ProviderGuards guards, ChatMetrics metrics,
            VerifiedKeys keys) {
        this.keys = keys;
        this.routes = routes;
        this.gate = gate;
        this.gateConfig = gateConfig;
        this.config = config;
        this.plans = plans;
        this.record = record;
        this.guards = guards;
        this.metrics = metrics;
    }

    /**
     * The whole answer, recorded, with the gate's headers. The work goes on when the caller goes away: the provider
     * is paid for the answer, so it is recorded and billed all the same.
     */
    public Uni<ChatAnswer> complete(Caller caller, String model, ChatCall call) {
        return detached(admit(caller, List.of(model), call, 1).chain(admitted -> {
            Reservation held = admitted.held();
            long started = System.nanoTime();
            UUID id = UUID.randomUUID();
            return ask(admitted, call)
                    // no answer, nothing recorded: the held units go back
                    .onFailure().call(e -> settle(held, Map.of()).invoke(() -> metrics.failed(model, e)))
                    .chain(completion -> {
                        long cost = cost(completion);
                        metrics.firstToken(model, completion.provider(), System.nanoTime() - started);
                        // answered: settled (before the usage can reach the ledger, so that reconciliation never counts
                        // it twice), then recorded (or kept until it can be, its usage made durable)
                        return settle(held, used(completion, cost))
                                .call(() -> record.recordSurely(id, caller, model, call, completion,
                                        RecordGeneration.COMPLETED, cost))
                                .invoke(() -> metrics.answered(model, completion, RecordGeneration.COMPLETED, cost))
                                .map(ignored -> new ChatAnswer(id, completion, admitted.headers()));
                    });
        }));
    }

    /** {@code work}, run to its end even when its caller cancels (goes away): only the caller stops waiting. */
    public static <T> Uni<T> detached(Uni<T> work) {
        return Uni.createFrom().emitter(emitter -> work.subscribe().with(emitter::complete, emitter::fail));
    }

    /**
     * The answer as it is generated. The item arrives with the first piece, so a refusal, or a route that fails
     * before anything was sent, is still an HTTP status; after that, a failure is the stream's last event. Either
     * way the generation is recorded and billed for what the provider produced, also when the caller went away.
     */
    public Uni<ChatStream> stream(Caller caller, String model, ChatCall call) {
        Executor requestContext = requestContext();
        return admit(caller, List.of(model), call, 1).chain(admitted -> {
            Reservation held = admitted.held();
            UUID id = UUID.randomUUID();
            StreamRelay relay = new StreamRelay(requestContext);
            long started = System.nanoTime();
            ask(model, admitted.route(), call, (provider, c) -> guards.stream(provider, c, piece -> {
                if (!relay.started()) {
                    metrics.firstToken(model, provider.name(), System.nanoTime() - started);
                }
                relay.piecesOf(provider).accept(piece);
            }), relay)
                    .emitOn(requestContext)
                    .subscribe().with(
                            completion -> finish(caller, model, call, held, id, relay,
                                    named(admitted.route(), completion.provider()), completion),
                            failure -> broke(caller, model, call, held, id, relay, admitted.route(), failure));
            return relay.firstPiece().map(provider -> new ChatStream(id, provider.model(), relay.events(),
                    admitted.headers()));
        });
    }

    private void finish(Caller caller, String model, ChatCall call, Reservation held, UUID id, StreamRelay relay,
            ChatProvider provider, Completion completion) {
        long cost = cost(completion);
        settle(held, used(completion, cost))
                .call(() -> record.recordSurely(id, caller, model, call, completion, RecordGeneration.COMPLETED, cost))
                .subscribe().with(ignored -> {
                    metrics.answered(model, completion, RecordGeneration.COMPLETED, cost);
                    if (relay.callerGone()) {
                        LOG.infof("stream: caller of generation %s went away; the whole answer is recorded and billed", id);
                    }
                    relay.finish(provider, new StreamEvent.Finished(completion));
                }, e -> {
                    LOG.errorf(e, "stream: generation %s was answered; recording it failed unexpectedly", id);
                    relay.finish(provider, new StreamEvent.Finished(completion));
                });
    }

    /** The route failed: before any piece, the caller gets the problem; after, what was sent is billed. */
    private void broke(Caller caller, String model, ChatCall call, Reservation held, UUID id, StreamRelay relay,
            List<ChatProvider> route, Throwable failure) {
        if (!relay.started()) {
            metrics.failed(model, failure);
            settle(held, Map.of()).subscribe().with(ignored -> relay.refuse(failure));
            return;
        }
        ChatProvider provider = relay.startedBy();
        String text = relay.sent();
        // the provider counted nothing for a stream it broke: its tokenizer's count of what was asked and sent
        Completion partial = new Completion(provider.name(), provider.model(), text, null,
                Tokens.count(call), Tokens.count(text));
        long cost = cost(partial);
        LOG.warnf("stream: generation %s broke off after %d characters (%s); recording and billing what was sent",
                id, text.length(), failure.getMessage());
        settle(held, used(partial, cost))
                .call(() -> record.recordSurely(id, caller, model, call, partial, RecordGeneration.INTERRUPTED, cost))
                .subscribe().with(ignored -> {
                    metrics.answered(model, partial, RecordGeneration.INTERRUPTED, cost);
                    relay.finish(provider, interrupted(failure));
                }, e -> {
                    LOG.errorf(e, "stream: the interrupted generation %s: recording it failed unexpectedly", id);
                    relay.finish(provider, interrupted(failure));
                });
    }

    private static StreamEvent.Failed interrupted(Throwable failure) {
        return new StreamEvent.Failed("stream_interrupted", "the provider's stream broke off before the answer was "
                + "complete (" + ProviderFailure.of(failure).label() + "); the part sent is billed");
    }

    private static ChatProvider named(List<ChatProvider> route, String name) {
        return route.stream().filter(provider -> provider.name().equals(name)).findFirst().orElse(route.get(0));
    }

    /**
     * The tenant's plan admits a call: the first of {@code models} the plan includes is chosen, and the gate holds
     * the worst case of {@code attempts} calls (the prompt's estimated tokens plus {@code max_tokens} each, at the
     * route's dearest provider), under the caller's API key's own controls as well (the models it may call, its
     * budget, requests and tokens per minute). Refusals are thrown as problems: 400 unknown model, 403 model not in
     * plan or not allowed for the key, 429, 402, 503 from the gate.
     */
    public Uni<Admission> admit(Caller caller, List<String> models, ChatCall call, int attempts) {
        long input = Tokens.estimate(call);
        // n choices: up to max_tokens each
        long output = (long) call.maxTokens() * call.choices();
        return admit(caller, models, routes::route, routes::models, route -> Map.of(UsageRecorded.GENERATIONS, 1L,
                UsageRecorded.INPUT_TOKENS, input * attempts,
                UsageRecorded.OUTPUT_TOKENS, output * attempts,
                UsageRecorded.COST_MICROS, attempts * route.stream()
                        .mapToLong(provider -> cost(provider.name(), input, output)).max().orElse(0)));
    }

    /**
     * The tenant's plan admits an embeddings request of {@code model}: the gate holds its estimated input tokens and
     * their cost at the route's dearest provider (no generation, no output). Refusals as {@link #admit}.
     */
    public Uni<Admission> admitEmbeddings(Caller caller, String model, long input) {
        return admit(caller, List.of(model), routes::embeddingRoute, routes::embeddingModels,
                route -> Map.of(UsageRecorded.INPUT_TOKENS, input, UsageRecorded.COST_MICROS, route.stream()
                        .mapToLong(provider -> cost(provider.name(), input, 0)).max().orElse(0)));
    }

    private Uni<Admission> admit(Caller caller, List<String> models,
            Function<String, Optional<List<ChatProvider>>> routeOf, Supplier<List<String>> offered,
            Function<List<ChatProvider>, Map<String, Long>> worstCaseOf) {
        for (String model : models) {
            if (routeOf.apply(model).isEmpty()) {
                throw Problems.badRequest("unknown-model", "Unknown Model",
                        "model '" + model + "' is not offered here; GET /v1/models lists " + offered.get());
            }
        }
        return keyOf(caller).chain(key -> plans.of(caller.tenantId()).chain(tenantPlan -> {
            Entitlements plan = tenantPlan.entitlements();
            String planName = tenantPlan.plan();
            KeyLimits limits = key == null ? KeyLimits.NONE : key.limits();
            KeyLimits creator = key == null || key.creatorLimits() == null ? KeyLimits.NONE : key.creatorLimits();
            String model = models.stream()
                    .filter(m -> plan.allowedModels().isEmpty() || plan.allowedModels().contains(m))
                    .filter(m -> limits.allows(m) && creator.allows(m))
                    .findFirst().orElse(null);
            if (model == null && models.stream().anyMatch(m -> plan.allowedModels().isEmpty()
                    || plan.allowedModels().contains(m))) {
                metrics.refused(models.get(0), "model-not-allowed-for-key");
                throw Problems.builder(Response.Status.FORBIDDEN, "model-not-allowed-for-key",
                        "Model Not Allowed For This Key")
                        .withDetail("this API key may call " + (limits.models().isEmpty() ? creator.models()
                                : limits.models()) + ", not "
                                + (models.size() == 1 ? "'" + models.get(0) + "'" : "any of " + models))
                        .build();
            }
            if (model == null) {
                metrics.refused(models.get(0), "model-not-in-plan");
                throw Problems.builder(Response.Status.FORBIDDEN, "model-not-in-plan", "Model Not In Plan")
                        .withDetail("the " + planName + " plan includes " + new TreeSet<>(plan.allowedModels())
                                + ", not " + (models.size() == 1 ? "'" + models.get(0) + "'" : "any of " + models)
                                + "; upgrade at " + gateConfig.upgradeUrl())
                        .with("plan", planName)
                        .with("upgradeUrl", gateConfig.upgradeUrl())
                        .build();
            }
            List<ChatProvider> route = routeOf.apply(model).orElseThrow();
            Instant now = Instant.now();
            Map<String, Long> worstCase = worstCaseOf.apply(route);
            GateRequest admission = GateRequest.forPlan(caller.tenantId(), caller.userId(), tenantPlan.period(now),
                    plan, worstCase);
            if (key != null) {
                // the controls of the key that created it (all it created count together), then the key's own, each
                // counted for its whole rotation line, in the same round trip
                long tokens = worstCase.getOrDefault(UsageRecorded.INPUT_TOKENS, 0L)
                        + worstCase.getOrDefault(UsageRecorded.OUTPUT_TOKENS, 0L);
                admission = underKey(underKey(admission, "managing-key", key.creatorLineageId(), key.creatorLimits(),
                        tokens), "key", key.lineageId(), limits, tokens);
            }
            return gate.reserve(admission).map(decision -> {
                if (!(decision instanceof GateDecision.Allowed allowed)) {
                    metrics.refused(model, decision instanceof GateDecision.RateLimited ? "rate-limited"
                            : decision instanceof GateDecision.QuotaExceeded ? "quota-exceeded" : "gate-unavailable");
                    throw GateResponses.refusal(decision, planName, gateConfig.upgradeUrl(), now);
                }
                // held as long as the call runs (a long stream, a fallback chain), not only the reservation's TTL
                gate.keepAlive(allowed.reservation());
                return new Admission(model, route, allowed, now);
            });
        }));
    }

    private static GateRequest underKey(GateRequest admission, String rule, UUID lineage, KeyLimits limits,
            long tokens) {
        if (lineage == null || limits == null || limits.isEmpty()) {
            return admission;
        }
        return admission.underKey(rule, lineage, limits.monthlyBudget(),
                limits.requestsPerMinute() == null ? 0 : limits.requestsPerMinute(),
                limits.tokensPerMinute() == null ? 0 : limits.tokensPerMinute(), tokens);
    }

    /** The API key the caller stands for, with its own controls (a token exchanged from a key too); null for none. */
    private Uni<VerifiedKeys.VerifiedKey> keyOf(Caller caller) {
        return caller.apiKeyId() == null ? Uni.createFrom().nullItem() : keys.byId(caller.apiKeyId(), caller.tenantId());
    }

    /** Whether the caller's API key (and the key that created it) may call {@code model}; any caller else may. */
    public Uni<java.util.function.Predicate<String>> modelsOf(Caller caller) {
        return keyOf(caller).map(key -> key == null ? model -> true
                : model -> key.limits().allows(model)
                        && (key.creatorLimits() == null || key.creatorLimits().allows(model)));
    }

    /** An admitted call: the model chosen, its route, the gate's hold and headers. */
    public record Admission(String model, List<ChatProvider> route, GateDecision.Allowed allowed, Instant at) {

        public Reservation held() {
            return allowed.reservation();
        }

        public Map<String, String> headers() {
            return GateResponses.headers(allowed, at);
        }
    }

    /** What {@code completion} used, as the gate and the ledger count it. */
    public static Map<String, Long> used(Completion completion, long cost) {
        return completion.quantities(cost);
    }

    /** What the provider charges for {@code completion}, in millionths of a US dollar. */
    public long cost(Completion completion) {
        GenerationConfig.Provider prices = config.providers().get(completion.provider());
        return prices == null ? 0
                : prices.costMicros(completion.inputTokens(), completion.cachedInputTokens(),
                        completion.outputTokens());
    }

    private long cost(String provider, long input, long output) {
        GenerationConfig.Provider prices = config.providers().get(provider);
        return prices == null ? 0 : prices.costMicros(input, output);
    }

    /**
     * Settles without failing the request: the generation is recorded by then (or the request fails for its own
     * reason), and a reservation left unsettled is given back after its TTL, with metering's reconciliation
     * counting what the ledger recorded.
     */
    public Uni<Void> settle(Reservation held, Map<String, Long> actual) {
        return gate.settle(held, actual).replaceWithVoid()
                .onFailure().invoke(e -> LOG.warnf("gate: settling reservation %s failed (%s); it expires instead",
                        held.id(), e.getMessage()))
                .onFailure().recoverWithNull();
    }

    /**
     * {@code admitted}'s route asked by {@code attempt} (embeddings, for one), with fallback and the same refusals
     * as a chat's; not recorded, not settled.
     */
    public Uni<Completion> ask(Admission admitted, Function<ChatProvider, Uni<Completion>> attempt) {
        return ask(admitted.model(), admitted.route(), null, (provider, ignored) -> attempt.apply(provider), null);
    }

    /** The whole answer from {@code admitted}'s route, with fallback; not recorded, not settled. */
    public Uni<Completion> ask(Admission admitted, ChatCall call) {
        return ask(admitted.model(), admitted.route(), call, guards::complete, null);
    }

    /**
     * The route's providers in order, each under its guard (retries, timeout, breaker), until one answers. A
     * provider that was not the route's first choice counts as a fallback. Once a stream has sent a piece, no
     * other provider is asked.
     */
    private Uni<Completion> ask(String model, List<ChatProvider> route, ChatCall call,
            BiFunction<ChatProvider, ChatCall, Uni<Completion>> attempt, StreamRelay relay) {
        List<String> failures = new ArrayList<>();
        List<ProviderFailure> kinds = new ArrayList<>();
        Uni<Completion> answer = Uni.createFrom().failure(new IllegalStateException("no provider tried yet"));
        for (int i = 0; i < route.size(); i++) {
            ChatProvider provider = route.get(i);
            boolean fallback = i > 0;
            answer = answer.onFailure(e -> relay == null || !relay.started()).recoverWithUni(() -> {
                if (fallback) {
                    metrics.fallback(model, provider.name());
                }
                return attempt.apply(provider, call).onFailure().invoke(e -> {
                    ProviderFailure kind = ProviderFailure.of(e);
                    kinds.add(kind);
                    failures.add(provider.name() + ": " + kind.label());
                    LOG.warnf("providers: %s gave up (%s: %s); %s", provider.name(), kind.label(), e.getMessage(),
                            relay != null && relay.started() ? "the stream had started, so it ends here"
                                    : "trying the next one of route " + model);
                });
            });
        }
        return answer.onFailure(e -> relay == null || !relay.started())
                .transform(e -> kinds.stream().allMatch(k -> k == ProviderFailure.REJECTED_REQUEST)
                        ? rejected(failures, e)
                        : unavailable(failures));
    }

    /** Runs on the request's Vert.x context (where Hibernate Reactive and the response belong). */
    private static Executor requestContext() {
        Context context = Vertx.currentContext();
        if (context == null) {
            return Runnable::run;
        }
        return task -> context.runOnContext(ignored -> task.run());
    }

    /** The provider's own message, code and param when its answer carried them (OpenAI's error envelope). */
    private static HttpProblem rejected(List<String> failures, Throwable last) {
        Optional<ProviderError> said = ProviderError.of(last);
        HttpProblem.Builder problem = Problems.builder(Response.Status.BAD_REQUEST, "provider-rejected-request",
                "Provider Rejected Request")
                .withDetail("the provider refused the request as invalid"
                        + said.map(ProviderError::message).map(message -> ": " + message).orElse(""))
                .with("tried", failures);
        said.map(ProviderError::code).ifPresent(code -> problem.with(OpenAiErrors.PROVIDER_CODE, code));
        said.map(ProviderError::param).ifPresent(param -> problem.with(OpenAiErrors.PARAM, param));
        return problem.build();
    }

    private static HttpProblem unavailable(List<String> failures) {
        return Problems.builder(Response.Status.SERVICE_UNAVAILABLE, "providers-unavailable", "Providers Unavailable")
                .withDetail("no provider of the route answered; tried " + failures)
                .with("tried", failures)
                .withHeader("Retry-After", 5)
                .build();
    }
}
