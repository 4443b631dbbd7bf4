package dev.tollgate.generation.chat;

import dev.tollgate.common.error.Problems;
import dev.tollgate.common.event.Entitlements;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.common.gate.BillingPeriod;
import dev.tollgate.common.gate.GateConfig;
import dev.tollgate.common.gate.GateDecision;
import dev.tollgate.common.gate.GateRequest;
import dev.tollgate.common.gate.GateResponses;
import dev.tollgate.common.gate.QuotaGate;
import dev.tollgate.common.plan.FreeTier;
import dev.tollgate.common.security.Caller;
import dev.tollgate.generation.provider.ChatCall;
import dev.tollgate.generation.provider.ChatProvider;
import dev.tollgate.generation.provider.Completion;
import dev.tollgate.generation.provider.ProviderRoutes;
import dev.tollgate.generation.provider.Tokens;
import dev.tollgate.generation.record.RecordGeneration;
import io.quarkiverse.resteasy.problem.HttpProblem;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * One metered chat completion: the gate holds the worst case (the prompt's estimated tokens plus
 * {@code max_tokens}) before any provider is called, the route's providers are tried in order, the generation
 * and its usage are recorded in one transaction, and the gate keeps what the provider reported using.
 */
@ApplicationScoped
public class CompleteChat {

    private static final Logger LOG = Logger.getLogger(CompleteChat.class);

    private final ProviderRoutes routes;
    private final QuotaGate gate;
    private final GateConfig gateConfig;
    private final FreeTier freeTier;
    private final RecordGeneration record;
    private final Vertx vertx;

    public CompleteChat(ProviderRoutes routes, QuotaGate gate, GateConfig gateConfig, FreeTier freeTier,
                        RecordGeneration record, Vertx vertx) {
        this.routes = routes;
        this.gate = gate;
        this.gateConfig = gateConfig;
        this.freeTier = freeTier;
        this.record = record;
        this.vertx = vertx;
    }

    public Uni<ChatAnswer> complete(Caller caller, String model, ChatCall call) {
        List<ChatProvider> route = routes.route(model).orElseThrow(() -> Problems.badRequest("unknown-model",
                "Unknown Model", "model '" + model + "' is not offered here; GET /v1/models lists " + routes.models()));
        Entitlements plan = freeTier.entitlements();
        String planName = freeTier.plan();
        if (!plan.allowedModels().isEmpty() && !plan.allowedModels().contains(model)) {
            throw Problems.builder(Response.Status.FORBIDDEN, "model-not-in-plan", "Model Not In Plan")
                    .withDetail("the " + planName + " plan includes " + plan.allowedModels() + ", not '" + model
                            + "'; upgrade at " + gateConfig.upgradeUrl())
                    .with("plan", planName)
                    .with("upgradeUrl", gateConfig.upgradeUrl())
                    .build();
        }
        Instant now = Instant.now();
        Map<String, Long> worstCase = Map.of(UsageRecorded.GENERATIONS, 1L,
                UsageRecorded.INPUT_TOKENS, Tokens.estimate(call.messages()),
                UsageRecorded.OUTPUT_TOKENS, (long) call.maxTokens());
        GateRequest admission = GateRequest.forPlan(caller.tenantId(), caller.userId(), BillingPeriod.calendarMonth(now),
                plan, worstCase);
        return gate.reserve(admission).chain(decision -> {
            if (!(decision instanceof GateDecision.Allowed allowed)) {
                throw GateResponses.refusal(decision, planName, gateConfig.upgradeUrl(), now);
            }
            return ask(route, call)
                    .onFailure().call(() -> gate.settle(allowed.reservation(), Map.of()))
                    .chain(completion -> record.record(caller, model, call, completion)
                            .call(() -> gate.settle(allowed.reservation(), Map.of(UsageRecorded.GENERATIONS, 1L,
                                    UsageRecorded.INPUT_TOKENS, completion.inputTokens(),
                                    UsageRecorded.OUTPUT_TOKENS, completion.outputTokens())))
                            .map(generation -> new ChatAnswer(generation.id, completion,
                                    GateResponses.headers(allowed, now))));
        });
    }

    /** The route's providers in order, each until one answers; off the event loop (the clients block). */
    private Uni<Completion> ask(List<ChatProvider> route, ChatCall call) {
        List<String> failures = new ArrayList<>();
        Uni<Completion> attempt = Uni.createFrom().failure(new IllegalStateException("no provider tried yet"));
        for (ChatProvider provider : route) {
            attempt = attempt.onFailure().recoverWithUni(() -> vertx.executeBlocking(() -> provider.complete(call))
                    .onFailure().invoke(e -> {
                        failures.add(provider.name() + ": " + e.getClass().getSimpleName());
                        LOG.warnf("providers: %s failed (%s); trying the next one of the route", provider.name(),
                                e.getMessage());
                    }));
        }
        return attempt.onFailure().transform(e -> unavailable(failures));
    }

    private static HttpProblem unavailable(List<String> failures) {
        return Problems.builder(Response.Status.SERVICE_UNAVAILABLE, "providers-unavailable", "Providers Unavailable")
                .withDetail("no provider of the route answered; tried " + failures)
                .with("tried", failures)
                .withHeader("Retry-After", 5)
                .build();
    }
}
