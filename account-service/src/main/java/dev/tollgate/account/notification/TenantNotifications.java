package dev.tollgate.account.notification;

import dev.tollgate.account.internal.Contacts;
import dev.tollgate.account.profile.Profile;
import dev.tollgate.common.event.SubscriptionChanged;
import dev.tollgate.common.event.ThresholdCrossed;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;
import java.util.function.Function;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/**
 * Writes to a tenant's owners and admins about their tenant: a quota 80 % or 100 % used ({@code threshold.crossed}),
 * a payment that failed ({@code subscription.changed} to {@code past_due}). A user who turned the kind off in
 * their profile is not written to. Runs inside the inbox's transaction.
 */
@ApplicationScoped
public class TenantNotifications {

    private static final Logger LOG = Logger.getLogger(TenantNotifications.class);

    private final Contacts contacts;
    private final Notify notify;

    public TenantNotifications(Contacts contacts, Notify notify) {
        this.contacts = contacts;
        this.notify = notify;
    }

    public Uni<Void> thresholdCrossed(ThresholdCrossed event) {
        String subject = "Your Tollgate " + event.metric() + " are at " + event.percent() + "% of your plan";
        String text = "Your team has used " + event.used() + " of the " + event.limit() + " " + event.metric()
                + " its " + event.plan() + " plan includes this period (until " + event.periodEnd() + "). "
                + (event.percent() >= 100 ? "Further requests are refused until the period ends or you upgrade."
                        : "Consider upgrading before requests are refused.")
                + "\n\nTurn these mails off with PATCH /account/me {\"notifyUsage\": false}.";
        return runners(event.tenantId(), profile -> profile == null || profile.notifyUsage,
                contact -> notify.once("threshold:" + event.eventId() + ":" + contact.userId(), "quota-" + event.percent(),
                        contact.userId(), contact.email(), subject, text));
    }

    public Uni<Void> subscriptionChanged(SubscriptionChanged event) {
        if (!"past_due".equals(event.status())) {
            return Uni.createFrom().voidItem();
        }
        String subject = "Your Tollgate payment failed";
        String text = "The last payment for your team's " + event.plan() + " plan failed. Update the payment method "
                + "in the billing portal (POST /billing/portal); the plan stays during the grace period, then the "
                + "team moves to the free plan until an invoice is paid."
                + "\n\nTurn these mails off with PATCH /account/me {\"notifyBilling\": false}.";
        return runners(event.tenantId(), profile -> profile == null || profile.notifyBilling,
                contact -> notify.once("payment-failed:" + event.eventId() + ":" + contact.userId(), "payment-failed",
                        contact.userId(), contact.email(), subject, text));
    }

    private Uni<Void> runners(UUID tenantId, Predicate<Profile> wants, Function<Contacts.Contact, Uni<Void>> send) {
        return contacts.runnersOf(tenantId)
                .onFailure().invoke(e -> LOG.warnf("notifications: the owners of tenant %s could not be looked up, "
                        + "their mail is not sent: %s", tenantId, e.toString()))
                .onFailure().recoverWithItem(List.of())
                .chain(runners -> Multi.createFrom().iterable(runners)
                        .onItem().transformToUniAndConcatenate(contact -> Profile.<Profile> findById(contact.userId())
                                .chain(profile -> wants.test(profile) ? send.apply(contact) : Uni.createFrom().voidItem()))
                        .collect().asList().replaceWithVoid());
    }
}
