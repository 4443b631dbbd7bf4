package dev.tollgate.billing.stripe;

import dev.tollgate.billing.stripe.repository.StripeTaskRepository;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * A platform operator's hold on the Stripe tasks {@link RunStripeTasks} parked: after fixing what Stripe refused (or
 * finding at Stripe that an unanswered meter event never arrived), retry one; or close it without calling Stripe,
 * with the reason (its local effects are not applied: an erasure's receipt, for one, is not sent).
 */
@ApplicationScoped
public class ParkedStripeTasks {

    private static final Logger LOG = Logger.getLogger(ParkedStripeTasks.class);

    private final StripeTaskRepository tasks;

    public ParkedStripeTasks(StripeTaskRepository tasks) {
        this.tasks = tasks;
    }

    /** The parked tasks, oldest first, at most {@code limit}. */
    public Uni<List<StripeTask>> list(int limit) {
        return Panache.withSession(() -> tasks.parked(limit));
    }

    /** Tries the parked task {@code id} again on the next pass; null when no parked task has that id. */
    public Uni<StripeTask> retry(UUID id, UUID operator) {
        return Panache.withTransaction(() -> tasks.parkedTask(id).map(task -> {
            if (task != null) {
                task.parkedAt = null;
                // the operator found it was not applied: the next call is the first that may be
                task.uncertainSince = null;
                task.nextAttemptAt = Instant.now();
                LOG.infof("audit: operator %s retries parked Stripe task %s (%s, tenant %s)", operator, task.id,
                        task.kind, task.tenantId);
            }
            return task;
        }));
    }

    /** Closes the parked task {@code id} without calling Stripe; null when no parked task has that id. */
    public Uni<StripeTask> discard(UUID id, String reason, UUID operator) {
        return Panache.withTransaction(() -> tasks.parkedTask(id).map(task -> {
            if (task != null) {
                task.doneAt = Instant.now();
                task.resolution = "discarded: " + reason;
                LOG.infof("audit: operator %s discards parked Stripe task %s (%s, tenant %s): %s", operator,
                        task.id, task.kind, task.tenantId, reason);
            }
            return task;
        }));
    }
}
