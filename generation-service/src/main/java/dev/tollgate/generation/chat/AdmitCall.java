package dev.tollgate.generation.chat;

import dev.tollgate.common.error.Problems;
import dev.tollgate.common.event.Entitlements;
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
import dev.tollgate.generation.provider.ChatCall;
import dev.tollgate.generation.provider.ChatProvider;
import dev.tollgate.generation.provider.Completion;
import dev.tollgate.generation.provider.ProviderRoutes;
import dev.tollgate.generation.provider.Tokens;
import dev.tollgate.generation.usage.Usage;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * The admission and settling kernel of every metered call (a chat completion, an embeddings request, a template
 * run): the model must be offered, in the tenant's plan (its subscription's entitlements, or the free tier) and
 * allowed to the caller's API key; the gate holds the worst case (the prompt's estimated tokens plus
 * {@code max_tokens} for each of the {@code n} choices, and their cost at the route's dearest provider) under the
 * tenant's limits and the key's own controls in one round trip; {@link #settle} keeps what was really used.
 */
@ApplicationScoped
public class AdmitCall {

    private static final Logger LOG = Logger.getLogger(AdmitCall.class);

    private final ProviderRoutes routes;
    private final QuotaGate gate;
    private final GateConfig gateConfig;
    private final GenerationConfig config;
    private final TenantPlans plans;
    private final ChatMetrics metrics;
    private final VerifiedKeys keys;

    public AdmitCall(ProviderRoutes routes, QuotaGate gate, GateConfig gateConfig, GenerationConfig config,
            TenantPlans plans, ChatMetrics metrics, VerifiedKeys keys) {
        this.routes = routes;
        this.gate = gate;
        this.gateConfig = gateConfig;
        this.config = config;
        this.plans = plans;
        this.metrics = metrics;
        this.keys = keys;
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
        return admit(caller, models, routes::route, routes::models, route -> Usage.generation(input * attempts, 0,
                output * attempts, attempts * route.stream()
                        .mapToLong(provider -> cost(provider.name(), input, output)).max().orElse(0)));
    }

    /**
     * The tenant's plan admits an embeddings request of {@code model}: the gate holds its estimated input tokens and
     * their cost at the route's dearest provider (no generation, no output). Refusals as {@link #admit}.
     */
    public Uni<Admission> admitEmbeddings(Caller caller, String model, long input) {
        return admit(caller, List.of(model), routes::embeddingRoute, routes::embeddingModels,
                route -> Usage.embeddings(input, route.stream()
                        .mapToLong(provider -> cost(provider.name(), input, 0)).max().orElse(0)));
    }

    private Uni<Admission> admit(Caller caller, List<String> models,
            Function<String, Optional<List<ChatProvider>>> routeOf, Supplier<List<String>> offered,
            Function<List<ChatProvider>, Usage> worstCaseOf) {
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
            Usage worstCase = worstCaseOf.apply(route);
            GateRequest admission = GateRequest.forPlan(caller.tenantId(), caller.userId(), tenantPlan.period(now),
                    plan, worstCase.quantities());
            if (key != null) {
                // the controls of the key that created it (all it created count together), then the key's own, each
                // counted for its whole rotation line, in the same round trip
                long tokens = worstCase.tokens();
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

    /** What the provider charges for {@code completion}, in millionths of a US dollar. */
    public long cost(Completion completion) {
        GenerationConfig.Provider prices = config.providers().get(completion.provider());
        return prices == null ? 0
                : prices.costMicros(completion.inputTokens(), completion.cachedInputTokens(),
                        completion.cacheWriteInputTokens(), completion.outputTokens());
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
    public Uni<Void> settle(Reservation held, Usage used) {
        return gate.settle(held, used.quantities()).replaceWithVoid()
                .onFailure().invoke(e -> LOG.warnf("gate: settling reservation %s failed (%s); it expires instead",
                        held.id(), e.getMessage()))
                .onFailure().recoverWithNull();
    }
}
