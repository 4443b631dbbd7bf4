package dev.tollgate.journey;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import dev.tollgate.common.event.AuditRecorded;
import dev.tollgate.common.event.EventCodec;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A platform operator's night with {@code ./tollgate redrive} against the suite's gateway: the dead letters of every
 * service are listed, one that still cannot be read fails again (exit 1) and is discarded, one whose cause was fixed
 * is applied once, and a session that is not an operator's is refused by every service.
 */
class RedriveJourneyTest {

    private static final Duration PATIENCE = Duration.ofMinutes(2);
    private static final EventCodec CODEC = new EventCodec(new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS));
    private static Suite suite;

    @BeforeAll
    static void start() {
        suite = Suite.start();
    }

    @Test
    void anOperatorListsRedrivesAndDiscardsDeadLettersWithTheCommand() throws Exception {
        // the operator's user (tollgate.security.operators names its id) signs in as anyone does
        execute("insert into auth.users (id, email, created_at) values (?, 'operator@example.com', now()) "
                + "on conflict do nothing", Suite.OPERATOR);
        String operator = Journeys.signIn(suite, "operator@example.com");

        // a record account-service cannot read: it becomes a dead letter of account-audit
        String garbage = "not an event " + UUID.randomUUID();
        publish("audit.recorded", UUID.randomUUID().toString(), garbage);
        await().atMost(PATIENCE).until(() -> number("select count(*) from account.dead_letter where payload = ?",
                garbage) == 1);
        long unreadable = number("select id from account.dead_letter where payload = ?", garbage);
        // and one whose automatic re-drives are spent and whose cause was fixed since: it waits for an operator
        AuditRecorded event = AuditRecorded.of(UUID.randomUUID(), "auth", "member.invited", "user", UUID.randomUUID(),
                "127.0.0.1", Map.of("role", "member"));
        execute("insert into account.dead_letter (consumer, topic, event_id, payload, last_error, attempts) "
                + "values ('account-audit', 'audit.recorded', ?, ?, 'IllegalStateException: fixed since', 6)",
                event.eventId(), CODEC.encode(event));

        Run list = tollgate(operator, "redrive", "list");
        assertEquals(0, list.exit(), list.output());
        assertTrue(list.output().contains("account " + unreadable + "  account-audit on audit.recorded"),
                list.output());
        assertTrue(list.output().contains("event " + event.eventId()), list.output());

        // one by id: it still cannot be read, so the command says so and exits 1
        Run again = tollgate(operator, "redrive", "account", String.valueOf(unreadable));
        assertEquals(1, again.exit(), again.output());
        assertTrue(again.output().contains("account: 0 re-driven, 0 applied before, 1 failed"), again.output());

        Run discard = tollgate(operator, "redrive", "discard", "account", String.valueOf(unreadable), "not", "an",
                "event");
        assertEquals(0, discard.exit(), discard.output());
        assertEquals(1, number("select count(*) from account.dead_letter where id = ? and resolved_at is not null "
                + "and resolution = 'discarded: not an event'", unreadable));

        // every open one of account-service: the fixed one is applied, once
        Run all = tollgate(operator, "redrive", "account");
        assertEquals(0, all.exit(), all.output());
        assertTrue(all.output().contains("account: 1 re-driven"), all.output());
        assertEquals(1, number("select count(*) from account.audit_log where event_id = ?", event.eventId()));
        Run after = tollgate(operator, "redrive", "list");
        assertFalse(after.output().contains("account " + unreadable + " "), after.output());
        assertFalse(after.output().contains("event " + event.eventId()), after.output());

        // a session that is not an operator's reaches none of it
        Run member = tollgate(Journeys.signIn(suite, "not-an-operator@example.com"), "redrive", "list");
        assertEquals(1, member.exit(), member.output());
        for (String service : List.of("auth", "billing", "generation", "metering", "account")) {
            assertTrue(member.output().contains(service + ": 403"), member.output());
        }
    }

    record Run(int exit, String output) {
    }

    /** {@code ./tollgate args...} from the checkout, through the suite's gateway with {@code token}. */
    private static Run tollgate(String token, String... args) throws Exception {
        List<String> command = new ArrayList<>(List.of("./tollgate"));
        command.addAll(List.of(args));
        Path output = Files.createTempFile(suite.dir(), "tollgate-", ".out");
        ProcessBuilder process = new ProcessBuilder(command).directory(Path.of("").toAbsolutePath().getParent()
                .toFile()).redirectErrorStream(true).redirectOutput(output.toFile());
        // the JDK running the tests is the one the README asks for
        process.environment().put("PATH", Path.of(System.getProperty("java.home"), "bin") + File.pathSeparator
                + System.getenv("PATH"));
        process.environment().put("TOLLGATE_URL", suite.gatewayUrl());
        process.environment().put("TOLLGATE_TOKEN", token);
        Process running = process.start();
        if (!running.waitFor(2, TimeUnit.MINUTES)) {
            running.destroyForcibly();
            throw new IllegalStateException("./tollgate " + String.join(" ", args) + " did not finish: "
                    + Files.readString(output));
        }
        return new Run(running.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
    }

    private static void publish(String topic, String key, String payload) throws Exception {
        Properties props = new Properties();
        props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, suite.kafka());
        props.put(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(props, new StringSerializer(),
                new StringSerializer())) {
            producer.send(new ProducerRecord<>(topic, key, payload)).get();
        }
    }

    private static long number(String query, Object... params) throws Exception {
        try (Connection sql = suite.database();
                PreparedStatement statement = prepare(sql, query, params);
                ResultSet result = statement.executeQuery()) {
            result.next();
            return result.getLong(1);
        }
    }

    private static void execute(String update, Object... params) throws Exception {
        try (Connection sql = suite.database(); PreparedStatement statement = prepare(sql, update, params)) {
            statement.executeUpdate();
        }
    }

    private static PreparedStatement prepare(Connection sql, String query, Object... params) throws Exception {
        PreparedStatement statement = sql.prepareStatement(query);
        for (int i = 0; i < params.length; i++) {
            statement.setObject(i + 1, params[i]);
        }
        return statement;
    }
}
