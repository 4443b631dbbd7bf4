package dev.tollgate.metering.threshold;

import static dev.tollgate.metering.MeteringEvents.generation;
import static dev.tollgate.metering.MeteringEvents.send;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.ThresholdCrossed;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.common.plan.BillingPeriod;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuerResource;
import dev.tollgate.testing.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** threshold.crossed at 80% and 100% of a quota, once each per period, however the usage arrives. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
class ThresholdAlertsTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    EventCodec codec;

    @Test
    void eightyAndHundredPercentAreAnnouncedOnceEach() {
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        Instant now = Instant.now();
        // the free tier allows 100 generations a month: 79 stay below the first threshold
        UsageRecorded[] first = new UsageRecorded[79];
        for (int i = 0; i < first.length; i++) {
            first[i] = generation(tenant, user, now, "small", 1);
        }
        send(codec, first);
        await().atMost(PATIENCE).until(() -> generations(tenant) == 79);
        assertEquals(0, announced(tenant), "79 of 100 crosses nothing");

        UsageRecorded eightieth = generation(tenant, user, now, "small", 1);
        send(codec, eightieth, eightieth, first[0]);
        await().atMost(PATIENCE).until(() -> announced(tenant) == 1);

        UsageRecorded[] rest = new UsageRecorded[25];
        for (int i = 0; i < rest.length; i++) {
            rest[i] = generation(tenant, user, now, "small", 1);
        }
        send(codec, rest);
        send(codec, rest);
        await().atMost(PATIENCE).until(() -> generations(tenant) == 105);
        await().atMost(PATIENCE).until(() -> announced(tenant) == 2);

        ThresholdCrossed eighty = crossing(tenant, 80);
        ThresholdCrossed hundred = crossing(tenant, 100);
        assertNotNull(eighty, "80% was published");
        assertNotNull(hundred, "100% was published");
        assertEquals(80, eighty.used());
        assertEquals(100, eighty.limit());
        assertEquals("free", eighty.plan());
        assertEquals(UsageRecorded.GENERATIONS, eighty.metric());
        assertEquals(BillingPeriod.calendarMonth(now).start(), eighty.periodStart());
        assertEquals(BillingPeriod.calendarMonth(now).end(), eighty.periodEnd());
        assertEquals(2, Sql.number("select count(*) from metering.outbox where topic = 'threshold.crossed' "
                + "and message_key = ?", tenant.toString()), "each threshold was announced once");
    }

    private ThresholdCrossed crossing(UUID tenant, int percent) {
        String found = Topics.find("threshold.crossed", PATIENCE, value -> {
            ThresholdCrossed event = codec.decode(value, EventType.THRESHOLD_CROSSED);
            return event.tenantId().equals(tenant) && event.percent() == percent;
        });
        return found == null ? null : codec.decode(found, EventType.THRESHOLD_CROSSED);
    }

    private static long generations(UUID tenant) {
        return Sql.number("select coalesce(sum(units), 0) from metering.usage_aggregates where tenant_id = ? "
                + "and metric = 'generations'", tenant);
    }

    private static long announced(UUID tenant) {
        return Sql.number("select count(*) from metering.threshold_alerts where tenant_id = ?", tenant);
    }
}
