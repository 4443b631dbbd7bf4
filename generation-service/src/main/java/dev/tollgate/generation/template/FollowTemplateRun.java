package dev.tollgate.generation.template;

import dev.tollgate.common.security.Caller;
import dev.tollgate.generation.history.GenerationHistory;
import dev.tollgate.generation.history.api.GenerationView;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A run's progress as it happens, wherever it runs: the run's row is read every {@code POLL} and each change of
 * status is passed on, the last one being the end (completed, invalid-output or failed) with the result. A run
 * that outlasts {@code LONGEST} is left to {@code GET /generations/{id}}.
 */
@ApplicationScoped
public class FollowTemplateRun {

    public static final Set<String> ENDED = Set.of("completed", TemplateRuns.INVALID_OUTPUT, TemplateRuns.FAILED);
    private static final Duration POLL = Duration.ofMillis(250);
    private static final Duration LONGEST = Duration.ofMinutes(10);

    private final GenerationHistory history;

    public FollowTemplateRun(GenerationHistory history) {
        this.history = history;
    }

    /** The run as it is now (404 if it is not the caller's), then its changes. */
    public Uni<Multi<GenerationView>> follow(Caller caller, java.util.UUID id) {
        Context current = Vertx.currentContext();
        Context context = current == null ? null : VertxContext.createNewDuplicatedContext(current);
        Executor onContext = context == null ? Runnable::run : task -> context.runOnContext(ignored -> task.run());
        return history.get(caller, id).map(now -> {
            AtomicReference<String> last = new AtomicReference<>(now.status());
            if (ENDED.contains(now.status())) {
                return Multi.createFrom().item(now);
            }
            Multi<GenerationView> changes = Multi.createFrom().ticks().every(POLL)
                    .onOverflow().drop()
                    .onItem().transformToUniAndConcatenate(tick -> Uni.createFrom().deferred(() -> history.get(caller, id))
                            .runSubscriptionOn(onContext))
                    .select().where(view -> !view.status().equals(last.getAndSet(view.status())))
                    .select().first(LONGEST);
            // the end is passed on, then the stream completes (an empty marker after it stops the polling)
            return Multi.createBy().concatenating().streams(Multi.createFrom().item(now), changes)
                    .onItem().transformToMultiAndConcatenate(view -> ENDED.contains(view.status())
                            ? Multi.createFrom().items(Optional.of(view), Optional.<GenerationView> empty())
                            : Multi.createFrom().item(Optional.of(view)))
                    .select().first(Optional::isPresent)
                    .map(Optional::get);
        });
    }
}
