package dev.tollgate.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;

/**
 * The topics {@code deploy/kafka/topics.txt} declares (name, partitions, retention in ms), created on a broker as
 * declared; a topic that exists already is left as it is.
 */
public final class KafkaTopics {

    /** Where the declaration lives in the repository. */
    public static final String FILE = "deploy/kafka/topics.txt";

    /** One declared topic. */
    public record Topic(String name, int partitions, long retentionMillis) {
    }

    private KafkaTopics() {
    }

    /** The declaration of the repository around {@code start} (it or a parent), if there is one. */
    public static Optional<Path> find(Path start) {
        for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path file = dir.resolve(FILE);
            if (Files.isRegularFile(file)) {
                return Optional.of(file);
            }
        }
        return Optional.empty();
    }

    /** The topics {@code file} declares, in its order. */
    public static List<Topic> read(Path file) {
        List<Topic> topics = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(file)) {
                String text = line.strip();
                if (text.isEmpty() || text.startsWith("#")) {
                    continue;
                }
                String[] fields = text.split("\\s+");
                if (fields.length != 3) {
                    throw new IllegalArgumentException(file + ": '" + line + "' is not <name> <partitions> "
                            + "<retention.ms>");
                }
                topics.add(new Topic(fields[0], Integer.parseInt(fields[1]), Long.parseLong(fields[2])));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return topics;
    }

    /** Creates each of {@code topics} that {@code bootstrapServers}' cluster lacks, with one replica. */
    public static void create(String bootstrapServers, List<Topic> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            List<NewTopic> wanted = topics.stream()
                    .map(topic -> new NewTopic(topic.name(), topic.partitions(), (short) 1)
                            .configs(Map.of("retention.ms", String.valueOf(topic.retentionMillis()))))
                    .toList();
            admin.createTopics(wanted).values().forEach((name, created) -> {
                try {
                    created.get(30, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw new IllegalStateException("could not create topic " + name, e.getCause());
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while creating topic " + name, e);
                } catch (TimeoutException e) {
                    throw new IllegalStateException("the broker did not create topic " + name + " in 30 s", e);
                }
            });
        }
    }
}
