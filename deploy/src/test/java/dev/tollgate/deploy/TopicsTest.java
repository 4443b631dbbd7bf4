package dev.tollgate.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * deploy/kafka/topics.txt declares every topic the suite uses, with partitions and retention, and nothing else: the
 * event topics of common's {@code EventType} and every topic a service's channels read or write (dead-letter topics
 * included). devstack creates what it declares, and so does docker-compose.yml's Kafka.
 */
class TopicsTest {

    private static final Pattern EVENT_TYPE = Pattern.compile("new EventType<>\\(\"([^\"]+)\"");
    private static final Pattern CHANNEL_TOPIC = Pattern.compile(
            "mp\\.messaging\\.(incoming|outgoing)\\.[^.]+\\.(topic|topics|dead-letter-queue\\.topic)");
    /** The outbox channel's default topic: every record it sends names its own. */
    private static final String UNROUTED = "tollgate.unrouted";
    private static final long DAY = 86_400_000L;

    record Declared(int partitions, long retentionMillis) {
    }

    @Test
    void everyTopicTheSuiteUsesIsDeclaredWithPartitionsAndRetention() throws IOException {
        Path root = ConfigReferenceSources.findRoot(Path.of(""));
        Map<String, Declared> declared = declared(root.resolve("deploy/kafka/topics.txt"));
        Set<String> used = new TreeSet<>();
        Matcher events = EVENT_TYPE.matcher(Files.readString(
                root.resolve("common/src/main/java/dev/tollgate/common/event/EventType.java")));
        while (events.find()) {
            used.add(events.group(1));
        }
        assertTrue(used.size() >= 9, "the event topics were not found in EventType: " + used);
        List<Path> configs = new ArrayList<>(List.of(
                root.resolve("common/src/main/resources/META-INF/microprofile-config.properties")));
        for (String service : List.of("auth", "billing", "generation", "metering", "account")) {
            configs.add(root.resolve(service + "-service/src/main/resources/application.properties"));
        }
        for (Path config : configs) {
            Properties properties = new Properties();
            properties.load(new StringReader(Files.readString(config)));
            for (String key : properties.stringPropertyNames()) {
                if (CHANNEL_TOPIC.matcher(key.replaceFirst("^%[^.]+\\.", "")).matches()) {
                    for (String topic : properties.getProperty(key).split(",")) {
                        if (!topic.isBlank() && !topic.strip().equals(UNROUTED)) {
                            used.add(topic.strip());
                        }
                    }
                }
            }
        }

        List<String> problems = new ArrayList<>();
        used.stream().filter(topic -> !declared.containsKey(topic))
                .forEach(topic -> problems.add(topic + " is used but not declared in deploy/kafka/topics.txt"));
        declared.keySet().stream().filter(topic -> !used.contains(topic))
                .forEach(topic -> problems.add(topic + " is declared in deploy/kafka/topics.txt but used by nothing"));
        declared.forEach((topic, declaration) -> {
            if (declaration.partitions() < 1) {
                problems.add(topic + " needs at least one partition");
            }
            boolean deadLetters = topic.endsWith(".dlq");
            if (declaration.retentionMillis() < (deadLetters ? 7 : 1) * DAY) {
                problems.add(topic + " keeps its records " + declaration.retentionMillis() / 3_600_000 + " hours, less "
                        + "than " + (deadLetters ? "a week (a dead letter takes time to repair)" : "a day"));
            }
            if (!deadLetters && declaration.retentionMillis() > 30 * DAY) {
                problems.add(topic + " keeps its records longer than the inboxes remember applied events (30 days): "
                        + "a record redelivered after that would apply twice");
            }
        });
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void composesKafkaCreatesTheDeclaredTopics() throws IOException {
        Path root = ConfigReferenceSources.findRoot(Path.of(""));
        String compose = Files.readString(root.resolve("docker-compose.yml"));
        assertTrue(compose.contains("./deploy/kafka/topics.txt:"), "docker-compose.yml's kafka does not mount "
                + "deploy/kafka/topics.txt");
        assertTrue(compose.contains("kafka-topics.sh") && compose.contains("--if-not-exists"),
                "docker-compose.yml's kafka does not create the declared topics");
    }

    private static Map<String, Declared> declared(Path file) throws IOException {
        Map<String, Declared> topics = new LinkedHashMap<>();
        for (String line : Files.readAllLines(file)) {
            String text = line.strip();
            if (text.isEmpty() || text.startsWith("#")) {
                continue;
            }
            String[] fields = text.split("\\s+");
            assertTrue(fields.length == 3, file + ": '" + line + "' is not <name> <partitions> <retention.ms>");
            assertTrue(topics.put(fields[0], new Declared(Integer.parseInt(fields[1]), Long.parseLong(fields[2]))) == null,
                    fields[0] + " is declared twice");
        }
        return topics;
    }
}
