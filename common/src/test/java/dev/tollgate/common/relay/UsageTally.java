package dev.tollgate.common.relay;

import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.common.inbox.Inbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * A consumer as a service writes one: it reads {@code usage.recorded} and, through the inbox, adds one row
 * per event to a tally. The table has no unique key, so an event applied twice would leave two rows.
 */
@ApplicationScoped
public class UsageTally {

    public static final String CONSUMER = "usage-tally";

    private final Inbox inbox;

    public UsageTally(Inbox inbox) {
        this.inbox = inbox;
    }

    @Incoming(CONSUMER)
    public Uni<Void> consume(String payload) {
        return inbox.apply(CONSUMER, EventType.USAGE_RECORDED, payload, this::tally).replaceWithVoid();
    }

    private Uni<Integer> tally(UsageRecorded event) {
        long units = event.quantities().values().stream().mapToLong(Long::longValue).sum();
        return Panache.getSession().flatMap(session -> session.createNativeQuery(
                "insert into {h-schema}usage_tally (event_id, tenant_id, units) values (:eventId, :tenantId, :units)")
                .setParameter("eventId", event.eventId())
                .setParameter("tenantId", event.tenantId())
                .setParameter("units", units)
                .executeUpdate());
    }
}
