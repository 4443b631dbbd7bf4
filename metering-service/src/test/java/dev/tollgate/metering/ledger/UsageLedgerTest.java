package dev.tollgate.metering.ledger;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.devstack.DevStack;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

/** usage.recorded from the real broker into the ledger: once per event, in the period it happened in. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class UsageLedgerTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    EventCodec codec;

    @Test
    void repeatedAndLateEventsAreCountedOnceInTheirOwnPeriod() throws Exception {
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        UsageRecorded tenth = usage(tenant, user, "2026-11-10T12:00:00Z", 100);
        UsageRecorded twelfth = usage(tenant, user, "2026-11-12T12:00:00Z", 50);
        UsageRecorded lastMonth = usage(tenant, user, "2026-10-31T23:59:59Z", 10);

        // out of order, and the tenth three times, as relays that retried would deliver them
        send(twelfth, tenth, tenth, lastMonth, tenth);

        await().atMost(PATIENCE).until(() -> units(tenant, "2026-10-01", "generations") == 1);
        await().atMost(PATIENCE).until(() -> units(tenant, "2026-11-01", "generations") == 2);
        assertEquals(150, units(tenant, "2026-11-01", "output_tokens"));
        assertEquals(10, units(tenant, "2026-10-01", "output_tokens"));
        assertEquals(3, Sql.number("select count(*) from metering.usage_events where tenant_id = ?", tenant));
    }

    @Test
    void anotherTenantsUsageStaysItsOwn() throws Exception {
        UUID mine = UUID.randomUUID();
        UUID theirs = UUID.randomUUID();
        send(usage(mine, UUID.randomUUID(), "2026-11-03T08:00:00Z", 5),
                usage(theirs, UUID.randomUUID(), "2026-11-03T08:00:00Z", 700));

        await().atMost(PATIENCE).until(() -> units(theirs, "2026-11-01", "output_tokens") == 700);
        await().atMost(PATIENCE).until(() -> units(mine, "2026-11-01", "output_tokens") == 5);
    }

    @Test
    void anUnreadableRecordIsSetAsideAndTheNextOneCounted() throws Exception {
        UUID tenant = UUID.randomUUID();
        String poison = "{\"tenantId\": \"" + tenant + "\", \"quantities\": ";
        sendRaw(tenant.toString(), poison);
        send(usage(tenant, UUID.randomUUID(), "2026-11-20T10:00:00Z", 3));

        await().atMost(PATIENCE).until(() -> units(tenant, "2026-11-01", "output_tokens") == 3);
        assertTrue(read("usage.recorded.dlq.metering").contains(poison));
    }

    private static UsageRecorded usage(UUID tenant, UUID user, String at, long outputTokens) {
        return new UsageRecorded(UUID.randomUUID(), Instant.parse(at), tenant, UsageRecorded.SCHEMA_VERSION, user,
                "generation", "small", "g-" + UUID.randomUUID(),
                Map.of(UsageRecorded.GENERATIONS, 1L, UsageRecorded.OUTPUT_TOKENS, outputTokens));
    }

    private static long units(UUID tenant, String period, String metric) {
        return Sql.number("select coalesce(sum(units), 0) from metering.usage_aggregates "
                + "where tenant_id = ? and period_start = ? and metric = ?", tenant, LocalDate.parse(period), metric);
    }

    private void send(UsageRecorded... events) throws Exception {
        for (UsageRecorded event : events) {
            sendRaw(event.tenantId().toString(), codec.encode(event));
        }
    }

    private static void sendRaw(String key, String value) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, DevStack.shared().kafka().bootstrapServers());
        try (KafkaProducer<String, String> producer =
                     new KafkaProducer<>(props, new StringSerializer(), new StringSerializer())) {
            producer.send(new ProducerRecord<>("usage.recorded", key, value)).get();
        }
    }

    private static List<String> read(String topic) {
        Properties props = new Properties();
        props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, DevStack.shared().kafka().bootstrapServers());
        props.put(ConsumerConfig.GROUP_ID_CONFIG, "reader-" + UUID.randomUUID());
        props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        List<String> values = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                     new KafkaConsumer<>(props, new StringDeserializer(), new StringDeserializer())) {
            consumer.subscribe(List.of(topic));
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            while (values.isEmpty() && System.nanoTime() < deadline) {
                for (ConsumerRecord<String, String> record : consumer.poll(Duration.ofMillis(500))) {
                    values.add(record.value());
                }
            }
        }
        return values;
    }
}
