package dev.tollgate.metering.ledger;

import dev.tollgate.common.event.EventType;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.config.Config;

/**
 * Whether the ledger holds every {@code usage.recorded} record published up to a moment: the ledger's consumer group,
 * over all its replicas, has committed up to the log's end offsets taken then.
 */
@ApplicationScoped
public class LedgerLag {

    private static final long TIMEOUT_SECONDS = 5;

    private final Vertx vertx;
    private final String servers;
    private final String group;
    private volatile Admin admin;

    public LedgerLag(Vertx vertx, Config config) {
        this.vertx = vertx;
        this.servers = config.getValue("kafka.bootstrap.servers", String.class);
        // the channel's group as the connector names it: its own, else the default one, else the application's
        this.group = config.getOptionalValue("mp.messaging.incoming.usage-recorded.group.id", String.class)
                .or(() -> config.getOptionalValue("kafka.group.id", String.class))
                .orElseGet(() -> config.getValue("quarkus.application.name", String.class));
    }

    /**
     * Waits, on a worker thread, until the ledger's consumer group has committed every {@code usage.recorded} record
     * published before this call (the log's end offsets taken at the start; records published meanwhile are not
     * waited for), or until {@code within} has passed.
     *
     * @return the records of that snapshot still unrecorded: 0 when caught up, -1 when Kafka could not be asked
     */
    public Uni<Long> awaitCaughtUp(Duration within) {
        return vertx.executeBlocking(() -> {
            long deadline = System.nanoTime() + within.toNanos();
            Map<TopicPartition, Long> target;
            try {
                target = endOffsets();
            } catch (Exception e) {
                return -1L;
            }
            while (true) {
                long left;
                try {
                    left = behind(target);
                } catch (Exception e) {
                    left = -1;
                }
                if (left == 0 || System.nanoTime() > deadline) {
                    return left;
                }
                Thread.sleep(200);
            }
        }, false);
    }

    /** Each partition's end offset now. */
    private Map<TopicPartition, Long> endOffsets() throws Exception {
        Admin client = admin();
        String topic = EventType.USAGE_RECORDED.topic();
        Map<TopicPartition, OffsetSpec> latest = client.describeTopics(List.of(topic)).allTopicNames()
                .get(TIMEOUT_SECONDS, TimeUnit.SECONDS).get(topic).partitions().stream()
                .collect(Collectors.toMap(partition -> new TopicPartition(topic, partition.partition()),
                        partition -> OffsetSpec.latest()));
        return offsets(client, latest);
    }

    /**
     * The records of {@code target} the group has not committed: a partition it never committed on counts from the
     * earliest offset Kafka still keeps.
     */
    private long behind(Map<TopicPartition, Long> target) throws Exception {
        Admin client = admin();
        Map<TopicPartition, OffsetAndMetadata> committed = client.listConsumerGroupOffsets(group)
                .partitionsToOffsetAndMetadata().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
        Map<TopicPartition, Long> earliest = offsets(client, target.keySet().stream()
                .collect(Collectors.toMap(partition -> partition, partition -> OffsetSpec.earliest())));
        long behind = 0;
        for (Map.Entry<TopicPartition, Long> end : target.entrySet()) {
            OffsetAndMetadata at = committed.get(end.getKey());
            long done = Math.max(at == null ? 0 : at.offset(), earliest.getOrDefault(end.getKey(), 0L));
            behind += Math.max(0, end.getValue() - done);
        }
        return behind;
    }

    private static Map<TopicPartition, Long> offsets(Admin client, Map<TopicPartition, OffsetSpec> specs)
            throws Exception {
        return client.listOffsets(specs).all().get(TIMEOUT_SECONDS, TimeUnit.SECONDS).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, offset -> offset.getValue().offset()));
    }

    private synchronized Admin admin() {
        if (admin == null) {
            admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, servers,
                    AdminClientConfig.CLIENT_ID_CONFIG, group + "-lag"));
        }
        return admin;
    }

    @PreDestroy
    synchronized void close() {
        if (admin != null) {
            admin.close(Duration.ofSeconds(2));
        }
    }
}
