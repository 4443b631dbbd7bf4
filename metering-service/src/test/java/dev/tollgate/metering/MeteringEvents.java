package dev.tollgate.metering;

import dev.tollgate.common.event.AccountDeleted;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.TollgateEvent;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.Topics;
import io.restassured.specification.RequestSpecification;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/** What other services send metering-service, as they would send it: events on the broker, access tokens. */
public final class MeteringEvents {

    private MeteringEvents() {
    }

    public static void send(EventCodec codec, TollgateEvent... events) {
        for (TollgateEvent event : events) {
            Topics.send(EventType.of(event).topic(), event.tenantId().toString(), codec.encode(event));
        }
    }

    /** One generation's usage, as generation-service records it. */
    public static UsageRecorded generation(UUID tenant, UUID user, Instant at, String model, long outputTokens) {
        return new UsageRecorded(UUID.randomUUID(), at, tenant, UsageRecorded.SCHEMA_VERSION, user, "generation", model,
                "g-" + UUID.randomUUID(), Map.of(UsageRecorded.GENERATIONS, 1L, UsageRecorded.OUTPUT_TOKENS, outputTokens));
    }

    public static AccountDeleted deletion(UUID tenant, UUID user, boolean tenantDeleted) {
        return AccountDeleted.of(tenant, UUID.randomUUID(), user, tenantDeleted);
    }

    /** A request carrying an access token of {@code user} in {@code tenant} with {@code role}. */
    public static RequestSpecification as(UUID user, UUID tenant, String role) {
        return Callers.as(user, tenant, role);
    }
}
