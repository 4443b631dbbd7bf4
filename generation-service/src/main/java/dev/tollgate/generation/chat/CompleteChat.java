package dev.tollgate.generation.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.common.security.Caller;
import dev.tollgate.gate.Reservation;
import dev.tollgate.generation.provider.ChatCall;
import dev.tollgate.generation.provider.ChatProvider;
import dev.tollgate.generation.provider.Completion;
import dev.tollgate.generation.provider.ProviderFailure;
import dev.tollgate.generation.provider.ProviderGuards;
import dev.tollgate.generation.provider.Tokens;
import dev.tollgate.generation.record.RecordGeneration;
import dev.tollgate.generation.usage.Usage;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Executor;
import org.jboss.logging.Logger;

/**
 * One metered chat completion, as one story: admitted ({@link AdmitCall}: the plan, the key's controls, the gate's
 * hold of the worst case), asked ({@link AskRoute}: the route's providers in order, each under its guard), settled
 * with what the provider reported using, and recorded: the generation and its usage in one transaction (or, when that fails,
 * the usage is made durable and the write kept for later: {@link RecordGeneration#recordSurely}), and the gate keeps
 * what the provider reported using. A streamed answer is billed for what was generated, also when it broke off, and
 * an answer whose caller went away is recorded and billed all the same.
 */
@ApplicationScoped
public class CompleteChat {

    private static final Logger LOG = Logger.getLogger(CompleteChat.class);

    private final AdmitCall admission;
    private final AskRoute askRoute;
    private final RecordGeneration record;
    private final ProviderGuards guards;
    private final ChatMetrics metrics;

    public CompleteChat(AdmitCall admission, AskRoute route, RecordGeneration record, ProviderGuards guards,
            ChatMetrics metrics) {
        this.admission = admission;
        this.askRoute = route;
        this.record = record;
        this.guards = guards;
        this.metrics = metrics;
    }

    /**
     * The whole answer, recorded, with the gate's headers. The work goes on when the caller goes away: the provider
     * is paid for the answer, so it is recorded and billed all the same.
     */
    public Uni<ChatAnswer> complete(Caller caller, String model, ChatCall call) {
        return detached(admission.admit(caller, List.of(model), call, 1).chain(admitted -> {
            Reservation held = admitted.held();
            long started = System.nanoTime();
            UUID id = UUID.randomUUID();
            return askRoute.ask(admitted, call)
                    // no answer, nothing recorded: the held units go back
                    .onFailure().call(e -> admission.settle(held, Usage.NONE).invoke(() -> metrics.failed(model, e)))
                    .chain(completion -> {
                        long cost = admission.cost(completion);
                        metrics.firstToken(model, completion.provider(), System.nanoTime() - started);
                        // answered: settled (before the usage can reach the ledger, so that reconciliation never counts
                        // it twice), then recorded (or kept until it can be, its usage made durable)
                        return admission.settle(held, completion.usage(cost))
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
        return admission.admit(caller, List.of(model), call, 1).chain(admitted -> {
            Reservation held = admitted.held();
            UUID id = UUID.randomUUID();
            StreamRelay relay = new StreamRelay(requestContext);
            long started = System.nanoTime();
            askRoute.ask(model, admitted.route(), call, (provider, c) -> guards.stream(provider, c, piece -> {
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
        long cost = admission.cost(completion);
        admission.settle(held, completion.usage(cost))
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
            admission.settle(held, Usage.NONE).subscribe().with(ignored -> relay.refuse(failure));
            return;
        }
        ChatProvider provider = relay.startedBy();
        String text = relay.sent();
        // what the provider reported before it broke (Anthropic counts the prompt, and its cache, when it starts),
        // else OpenAI's tokenizer's count of what was asked; the output is the more of its count and the sent text's
        JsonNode reported = relay.usageSoFar();
        long input = reported != null && reported.hasNonNull("prompt_tokens") ? reported.get("prompt_tokens").asLong()
                : Tokens.count(call);
        long output = Math.max(Tokens.count(text), reported == null ? 0 : reported.path("completion_tokens").asLong(0));
        Completion partial = new Completion(provider.name(), provider.model(), text, null, input, output, null,
                reported);
        long cost = admission.cost(partial);
        LOG.warnf("stream: generation %s broke off after %d characters (%s); recording and billing what was sent",
                id, text.length(), failure.getMessage());
        admission.settle(held, partial.usage(cost))
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

    /** Runs on the request's Vert.x context (where Hibernate Reactive and the response belong). */
    private static Executor requestContext() {
        Context context = Vertx.currentContext();
        if (context == null) {
            return Runnable::run;
        }
        return task -> context.runOnContext(ignored -> task.run());
    }
}
