package dev.tollgate.common.relay;

import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.common.inbox.Inbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.runtime.Startup;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.microprofile.reactive.messaging.Incoming;

/**
 * A consumer as a service writes one: it reads {@code usage.recorded} and, through the inbox, adds one row
 * per event to a tally. The table has no unique key, so an event applied twice would leave two rows.
 */
@Startup
@ApplicationScoped
public class UsageTally {

    public static final String CONSUMER = "usage-tally";
    /** Tenants whose events the tally refuses, as an effect with a bug of its own would, until a test mends it. */
    public static final Set<UUID> REFUSED = ConcurrentHashMap.newKeySet();

    private final Inbox.Handler<UsageRecorded> handler;

    public UsageTally(Inbox inbox) {
        this.handler = inbox.handler(CONSUMER, EventType.USAGE_RECORDED, this::tally);
    }

    @Incoming(CONSUMER)
    public Uni<Void> consume(String payload) {
        return handler.apply(payload).replaceWithVoid();
    }

    private Uni<Integer> tally(UsageRecorded event) {
        if (REFUSED.contains(event.tenantId())) {
            return Uni.createFrom().failure(new IllegalStateException("the tally refuses tenant " + event.tenantId()));
        }
        long units = event.quantities().values().stream().mapToLong(Long::longValue).sum();
        return Panache.getSession().flatMap(session -> session.createNativeQuery(
                "insert into {h-schema}usage_tally (event_id, tenant_id, units) values (:eventId, :tenantId, :units)")
                .setParameter("eventId", event.eventId())
                .setParameter("tenantId", event.tenantId())
                .setParameter("units", units)
                .executeUpdate());
    }
}
