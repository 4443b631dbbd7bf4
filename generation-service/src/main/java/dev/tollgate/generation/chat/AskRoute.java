package dev.tollgate.generation.chat;

import dev.tollgate.common.error.Problems;
import dev.tollgate.generation.openai.OpenAiErrors;
import dev.tollgate.generation.provider.ChatCall;
import dev.tollgate.generation.provider.ChatProvider;
import dev.tollgate.generation.provider.Completion;
import dev.tollgate.generation.provider.ProviderError;
import dev.tollgate.generation.provider.ProviderFailure;
import dev.tollgate.generation.provider.ProviderGuards;
import dev.tollgate.generation.provider.UnsupportedParameter;
import io.quarkiverse.resteasy.problem.HttpProblem;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * An admitted call's route: its providers in order, each under its guard (retries, timeout, breaker), until one
 * answers; the caller gets the provider's own refusal when every provider refused the request as invalid, and 503
 * naming what each did otherwise.
 */
@ApplicationScoped
public class AskRoute {

    private static final Logger LOG = Logger.getLogger(AskRoute.class);

    private final ProviderGuards guards;
    private final ChatMetrics metrics;

    public AskRoute(ProviderGuards guards, ChatMetrics metrics) {
        this.guards = guards;
        this.metrics = metrics;
    }

    /**
     * {@code admitted}'s route asked by {@code attempt} (embeddings, for one), with fallback and the same refusals
     * as a chat's; not recorded, not settled.
     */
    public Uni<Completion> ask(AdmitCall.Admission admitted, Function<ChatProvider, Uni<Completion>> attempt) {
        return ask(admitted.model(), admitted.route(), null, (provider, ignored) -> attempt.apply(provider), null);
    }

    /** The whole answer from {@code admitted}'s route, with fallback; not recorded, not settled. */
    public Uni<Completion> ask(AdmitCall.Admission admitted, ChatCall call) {
        return ask(admitted.model(), admitted.route(), call, guards::complete, null);
    }

    /**
     * The route's providers in order, each under its guard (retries, timeout, breaker), until one answers. A
     * provider that was not the route's first choice counts as a fallback. Once a stream has sent a piece, no
     * other provider is asked.
     */
    Uni<Completion> ask(String model, List<ChatProvider> route, ChatCall call,
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

    /**
     * The provider's own message, code and param when its answer carried them (OpenAI's error envelope); 400
     * {@code unsupported-parameter} naming the field when the last provider could not honour one.
     */
    private static HttpProblem rejected(List<String> failures, Throwable last) {
        for (Throwable cause = last; cause != null; cause = cause.getCause()) {
            if (cause instanceof UnsupportedParameter unsupported) {
                return Problems.builder(Response.Status.BAD_REQUEST, "unsupported-parameter", "Unsupported Parameter")
                        .withDetail(unsupported.getMessage())
                        .with(OpenAiErrors.PARAM, unsupported.param())
                        .with("tried", failures)
                        .build();
            }
        }
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
