package dev.tollgate.billing.stripe;

import io.smallrye.mutiny.Uni;

/** Carries out one kind of {@link StripeTask}. */
public interface StripeTaskHandler {

    /** The {@link StripeTask#kind} handled. */
    String kind();

    /** Makes the task's Stripe calls with the task id as idempotency key; touches no database session. */
    Uni<Void> callStripe(StripeTask task);

    /** After Stripe accepted: the local effects, in the transaction that marks the task done. */
    default Uni<Void> done(StripeTask task) {
        return Uni.createFrom().voidItem();
    }
}
