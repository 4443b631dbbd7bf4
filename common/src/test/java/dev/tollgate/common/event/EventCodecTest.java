package dev.tollgate.common.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventCodecTest {

    private final EventCodec codec = new EventCodec(new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS));

    @Test
    void everyContractSurvivesTheRoundTrip() {
        UUID tenant = UUID.randomUUID();
        AccountDeleted deleted = AccountDeleted.of(tenant, UUID.randomUUID(), UUID.randomUUID(), false);
        Entitlements entitlements = new Entitlements(Map.of(UsageRecorded.GENERATIONS, 1000L),
                new Entitlements.RateLimits(60, 1000, 600, 20_000, 10), Set.of("small"), Set.of("history"), false);
        for (TollgateEvent event : new TollgateEvent[] {
                SubscriptionChanged.of(tenant, "basic", "active", null, null, entitlements, 3),
                UsageRecorded.of(tenant, UUID.randomUUID(), "generation", "small", "g-1", Map.of("generations", 1L)),
                deleted,
                AccountPurged.of(deleted, "metering", Map.of("ledger_rows", 12L)),
                ApiKeyRevoked.of(tenant, UUID.randomUUID(), "tg_live_ab12"),
                AuditRecorded.of(tenant, "auth", "auth.signed-in", UUID.randomUUID().toString(), UUID.randomUUID(),
                        "203.0.113.9", Map.of("method", "magic-link")) }) {
            EventType<TollgateEvent> type = EventType.of(event);
            assertEquals(event, codec.decode(codec.encode(event), type));
        }
    }

    @Test
    void fieldsAddedByANewerProducerAreIgnored() {
        UsageRecorded event = UsageRecorded.of(UUID.randomUUID(), UUID.randomUUID(), "generation", "small", "g-2",
                Map.of("generations", 1L));
        String newer = codec.encode(event).replaceFirst("\\{", "{\"addedLater\":true,");
        assertEquals(event, codec.decode(newer, EventType.USAGE_RECORDED));
    }

    @Test
    void usageOfSchemaOneReadsWithNoKeyAndNoEndUserAndSchemaTwoKeepsBoth() {
        UUID tenant = UUID.randomUUID();
        String v1 = "{\"eventId\":\"" + UUID.randomUUID() + "\",\"occurredAt\":\"2026-12-01T10:00:00Z\",\"tenantId\":\""
                + tenant + "\",\"schemaVersion\":1,\"userId\":null,\"source\":\"generation\",\"model\":\"small\","
                + "\"subjectId\":\"g-1\",\"quantities\":{\"generations\":1}}";
        UsageRecorded older = codec.decode(v1, EventType.USAGE_RECORDED);
        assertEquals(null, older.apiKeyId());
        assertEquals(null, older.endUser());
        assertEquals(Map.of("generations", 1L), older.quantities());

        UUID key = UUID.randomUUID();
        UsageRecorded v2 = new UsageRecorded(UUID.randomUUID(), java.time.Instant.now(), tenant,
                UsageRecorded.SCHEMA_VERSION, null, "generation", "small", "g-2", Map.of("generations", 1L), key,
                "c".repeat(300));
        UsageRecorded read = codec.decode(codec.encode(v2), EventType.USAGE_RECORDED);
        assertEquals(key, read.apiKeyId());
        assertEquals(UsageRecorded.LONGEST_END_USER, read.endUser().length(), "a longer end user is cut");
        UsageRecorded controlled = new UsageRecorded(UUID.randomUUID(), java.time.Instant.now(), tenant,
                UsageRecorded.SCHEMA_VERSION, null, "generation", "small", "g-3", Map.of("generations", 1L), key,
                "cust\u0000omer\n-7");
        assertEquals("customer-7", codec.decode(codec.encode(controlled), EventType.USAGE_RECORDED).endUser(),
                "no control character reaches the ledger");
    }

    @Test
    void anAnnouncementOfAProducerThatDidNotCountHasVersionZero() {
        SubscriptionChanged counted = SubscriptionChanged.of(UUID.randomUUID(), "pro", "active", null, null, null, 7);
        String older = codec.encode(counted).replace(",\"version\":7", "").replace("\"version\":7,", "");
        assertTrue(!older.contains("version"), older);
        assertEquals(0, codec.decode(older, EventType.SUBSCRIPTION_CHANGED).version());
    }

    @Test
    void anErasureOfSchemaOneNamesAtMostItsOwnTenant() {
        UUID tenant = UUID.randomUUID();
        String v1 = "{\"eventId\":\"" + UUID.randomUUID() + "\",\"occurredAt\":\"2026-12-01T10:00:00Z\",\"tenantId\":\""
                + tenant + "\",\"schemaVersion\":1,\"deletionId\":\"" + UUID.randomUUID() + "\",\"userId\":\""
                + UUID.randomUUID() + "\",\"tenantDeleted\":true}";
        AccountDeleted read = codec.decode(v1, EventType.ACCOUNT_DELETED);
        assertEquals(List.of(tenant), read.erasedTenants());
        assertTrue(read.addressedTo("metering"));
        AccountDeleted kept = codec.decode(v1.replace("\"tenantDeleted\":true", "\"tenantDeleted\":false"),
                EventType.ACCOUNT_DELETED);
        assertEquals(List.of(), kept.erasedTenants());
    }

    @Test
    void anErasureOfSchemaTwoNamesEveryTenantAndWhomItIsSentTo() {
        UUID tenant = UUID.randomUUID();
        UUID team = UUID.randomUUID();
        AccountDeleted request = AccountDeleted.of(tenant, UUID.randomUUID(), UUID.randomUUID(), List.of(tenant,
                team));
        assertTrue(request.tenantDeleted(), "a schema 1 consumer still erases the tenant it was asked from");
        AccountDeleted again = codec.decode(codec.encode(request.resentTo(List.of("billing"))),
                EventType.ACCOUNT_DELETED);
        assertEquals(List.of(tenant, team), again.erasedTenants());
        assertEquals(request.deletionId(), again.deletionId());
        assertTrue(!again.eventId().equals(request.eventId()), "a new event, which no inbox has seen");
        assertTrue(again.addressedTo("billing"));
        assertTrue(!again.addressedTo("generation"));
    }

    @Test
    void aPayloadWithoutEventIdIsUnreadable() {
        EventCodec.UnreadableEventException e = assertThrows(EventCodec.UnreadableEventException.class,
                () -> codec.decode("{\"tenantId\":\"" + UUID.randomUUID() + "\"}", EventType.USAGE_RECORDED));
        assertTrue(e.getMessage().contains("usage.recorded"));
    }

    @Test
    void aPayloadThatIsNotJsonIsUnreadable() {
        assertThrows(EventCodec.UnreadableEventException.class,
                () -> codec.decode("not json", EventType.ACCOUNT_DELETED));
    }
}
