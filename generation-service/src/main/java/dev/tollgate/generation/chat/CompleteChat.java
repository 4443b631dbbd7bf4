package dev.tollgate.generation.chat;

import dev.tollgate.common.error.Problems;
import dev.tollgate.common.event.Entitlements;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.common.gate.GateConfig;
import dev.tollgate.common.gate.GateDecision;
import dev.tollgate.common.gate.GateRequest;
import dev.tollgate.common.gate.GateResponses;
import dev.tollgate.common.gate.QuotaGate;
import dev.tollgate.common.gate.Reservation;
import dev.tollgate.common.plan.TenantPlan;
import dev.tollgate.common.plan.TenantPlans;
import dev.tollgate.common.security.Caller;
import dev.tollgate.generation.provider.ChatCall;
import dev.tollgate.generation.provider.ChatProvider;
import dev.tollgate.generation.provider.Completion;
import dev.tollgate.generation.provider.ProviderFailure;
import dev.tollgate.generation.provider.ProviderGuards;
import dev.tollgate.generation.provider.ProviderRoutes;
import dev.tollgate.generation.provider.Tokens;
import dev.tollgate.generation.record.RecordGeneration;
import io.quarkiverse.resteasy.problem.HttpProblem;
import io.smallrye.mutiny.Uni;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * One metered chat completion under the tenant's plan (its subscription's entitlements, or the free tier): the
 * model must be in the plan, the gate holds the worst case (the prompt's estimated tokens plus
 * {@code max_tokens}) before any provider is called, the route's providers are tried in order, the generation
 * and its usage are recorded in one transaction, and the gate keeps what the provider reported using.
 */
@ApplicationScoped
public class CompleteChat {

    private static final Logger LOG = Logger.getLogger(CompleteChat.class);

    private final ProviderRoutes routes;
    private final QuotaGate gate;
    private final GateConfig gateConfig;
    private final TenantPlans plans;
    private final RecordGeneration record;
    private final ProviderGuards guards;
    private final MeterRegistry registry;

    public CompleteChat(ProviderRoutes routes, QuotaGate gate, GateConfig gateConfig, TenantPlans plans,
                        RecordGeneration record, ProviderGuards guards, MeterRegistry registry) {
        this.routes = routes;
        this.gate = gate;
        this.gateConfig = gateConfig;
        this.plans = plans;
        this.record = record;
        this.guards = guards;
        this.registry = registry;
    }

    public Uni<ChatAnswer> complete(Caller caller, String model, ChatCall call) {
        List<ChatProvider> route = routes.route(model).orElseThrow(() -> Problems.badRequest("unknown-model",
                "Unknown Model", "model '" + model + "' is not offered here; GET /v1/models lists " + routes.models()));
        return plans.of(caller.tenantId()).chain(plan -> admit(caller, model, route, call, plan));
    }

    private Uni<ChatAnswer> admit(Caller caller, String model, List<ChatProvider> route, ChatCall call,
                                  TenantPlan tenantPlan) {
        Entitlements plan = tenantPlan.entitlements();
        String planName = tenantPlan.plan();
        if (!plan.allowedModels().isEmpty() && !plan.allowedModels().contains(model)) {
            throw Problems.builder(Response.Status.FORBIDDEN, "model-not-in-plan", "Model Not In Plan")
                    .withDetail("the " + planName + " plan includes " + new TreeSet<>(plan.allowedModels())
                            + ", not '" + model + "'; upgrade at " + gateConfig.upgradeUrl())
                    .with("plan", planName)
                    .with("upgradeUrl", gateConfig.upgradeUrl())
                    .build();
        }
        Instant now = Instant.now();
        Map<String, Long> worstCase = Map.of(UsageRecorded.GENERATIONS, 1L,
                UsageRecorded.INPUT_TOKENS, Tokens.estimate(call.messages()),
                UsageRecorded.OUTPUT_TOKENS, (long) call.maxTokens());
        GateRequest admission = GateRequest.forPlan(caller.tenantId(), caller.userId(), tenantPlan.period(now), plan,
                worstCase);
        return gate.reserve(admission).chain(decision -> {
            if (!(decision instanceof GateDecision.Allowed allowed)) {
                throw GateResponses.refusal(decision, planName, gateConfig.upgradeUrl(), now);
            }
            Reservation held = allowed.reservation();
            return ask(model, route, call)
                    // no answer, nothing recorded: the held units go back
                    .onFailure().call(() -> settle(held, Map.of()))
                    .chain(completion -> record.record(caller, model, call, completion)
                            .onFailure().call(() -> settle(held, Map.of()))
                            .call(() -> settle(held, Map.of(UsageRecorded.GENERATIONS, 1L,
                                    UsageRecorded.INPUT_TOKENS, completion.inputTokens(),
                                    UsageRecorded.OUTPUT_TOKENS, completion.outputTokens())))
                            .map(generation -> new ChatAnswer(generation.id, completion,
                                    GateResponses.headers(allowed, now))));
        });
    }

    /**
     * Settles without failing the request: the generation is recorded by then (or the request fails for its own
     * reason), and a reservation left unsettled is given back after its TTL, with metering's reconciliation
     * counting what the ledger recorded.
     */
    private Uni<Void> settle(Reservation held, Map<String, Long> actual) {
        return gate.settle(held, actual).replaceWithVoid()
                .onFailure().invoke(e -> LOG.warnf("gate: settling reservation %s failed (%s); it expires instead",
                        held.id(), e.getMessage()))
                .onFailure().recoverWithNull();
    }

    /**
     * The route's providers in order, each under its guard (retries, timeout, breaker), until one answers. A
     * provider that was not the route's first choice counts as a fallback.
     */
    private Uni<Completion> ask(String model, List<ChatProvider> route, ChatCall call) {
        List<String> failures = new ArrayList<>();
        List<ProviderFailure> kinds = new ArrayList<>();
        Uni<Completion> attempt = Uni.createFrom().failure(new IllegalStateException("no provider tried yet"));
        for (int i = 0; i < route.size(); i++) {
            ChatProvider provider = route.get(i);
            boolean fallback = i > 0;
            attempt = attempt.onFailure().recoverWithUni(() -> {
                if (fallback) {
                    registry.counter("tollgate.provider.fallbacks", "route", model, "to", provider.name()).increment();
                }
                return guards.complete(provider, call).onFailure().invoke(e -> {
                    ProviderFailure kind = ProviderFailure.of(e);
                    kinds.add(kind);
                    failures.add(provider.name() + ": " + kind.label());
                    LOG.warnf("providers: %s gave up (%s: %s); trying the next one of route %s", provider.name(),
                            kind.label(), e.getMessage(), model);
                });
            });
        }
        return attempt.onFailure().transform(e -> kinds.stream().allMatch(k -> k == ProviderFailure.REJECTED_REQUEST)
                ? rejected(failures, e) : unavailable(failures));
    }

    private static HttpProblem rejected(List<String> failures, Throwable last) {
        return Problems.builder(Response.Status.BAD_REQUEST, "provider-rejected-request", "Provider Rejected Request")
                .withDetail("the provider refused the request as invalid: " + last.getMessage())
                .with("tried", failures)
                .build();
    }

    private static HttpProblem unavailable(List<String> failures) {
        return Problems.builder(Response.Status.SERVICE_UNAVAILABLE, "providers-unavailable", "Providers Unavailable")
                .withDetail("no provider of the route answered; tried " + failures)
                .with("tried", failures)
                .withHeader("Retry-After", 5)
                .build();
    }
}
