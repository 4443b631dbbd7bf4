package dev.tollgate.common.security;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.health.api.AsyncHealthCheck;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import io.smallrye.reactive.messaging.kafka.KafkaConsumer;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;
import org.jboss.logging.Logger;

/**
 * A replica is not ready before it has read the credential changes that were already announced when it started
 * (revoked keys and signing keys, members who left or were demoted): until then it would trust a token any other
 * replica refuses. The first time the broker answers it notes the end of each partition of the three topics; it is
 * ready once {@link CredentialChanges} has read up to there (a partition with nothing left to read counts as read;
 * one that was emptied or recreated since counts up to its new end), and from then on this check stays up: the
 * replica goes on refusing what it has learnt whatever the broker does. Only a broker that could not be asked at all
 * for {@code tollgate.security.catch-up-patience} after start-up lets the replica serve without them: it logs an
 * alert and shows 0 in {@code tollgate_security_credential_changes_caught_up} until it has caught up.
 */
@Readiness
@ApplicationScoped
public class CredentialChangesReadiness implements AsyncHealthCheck {

    private static final Logger LOG = Logger.getLogger(CredentialChangesReadiness.class);
    private static final String NAME = "credential changes read";
    private static final Duration ASK = Duration.ofSeconds(3);

    /** Where a partition begins and ends. */
    private record Span(long beginning, long end) {
    }

    private final KafkaClientService kafka;
    private final CredentialChanges changes;
    private final Instant patientUntil;
    /** The end of each partition when the broker first answered: what must be read before serving. */
    private volatile Map<TopicPartition, Long> targets;
    private final AtomicBoolean asking = new AtomicBoolean();
    private volatile boolean caughtUp;
    private volatile boolean gaveUpWaiting;

    public CredentialChangesReadiness(KafkaClientService kafka, CredentialChanges changes, SecurityConfig config,
            MeterRegistry registry) {
        this.kafka = kafka;
        this.changes = changes;
        this.patientUntil = Instant.now().plus(config.catchUpPatience());
        Gauge.builder("tollgate.security.credential_changes_caught_up", this, readiness -> readiness.caughtUp ? 1 : 0)
                .description("1 once this replica has read the credential changes announced before it started")
                .register(registry);
    }

    @Override
    public Uni<HealthCheckResponse> call() {
        if (caughtUp) {
            return Uni.createFrom().item(HealthCheckResponse.up(NAME));
        }
        if (targets == null && !Instant.now().isBefore(patientUntil)) {
            if (!gaveUpWaiting) {
                gaveUpWaiting = true;
                LOG.errorf("alert: security: the broker could not say which credential changes were announced before "
                        + "start-up within tollgate.security.catch-up-patience; serving anyway, tokens of recently "
                        + "revoked keys or removed members may be trusted until they are read");
            }
            ask().subscribe().with(ignored -> {
            }, ignored -> {
            }); // and go on asking, so that the gauge shows when it has caught up
            return Uni.createFrom().item(HealthCheckResponse.named(NAME).up().withData("caught up", false).build());
        }
        return ask();
    }

    /** One question to the broker at a time, on the consumer's polling thread; probes meanwhile hear "not yet". */
    private Uni<HealthCheckResponse> ask() {
        return Uni.createFrom().deferred(() -> {
            KafkaConsumer<String, String> consumer = kafka.getConsumer(CredentialChanges.CHANNEL);
            if (consumer == null) {
                return Uni.createFrom().item(down("the consumer of " + CredentialChanges.CHANNEL + " has not started"));
            }
            if (!asking.compareAndSet(false, true)) {
                return Uni.createFrom().item(down("the broker is being asked where the topics end"));
            }
            return consumer.runOnPollingThread(this::spans)
                    .ifNoItem().after(ASK.multipliedBy(3)).fail()
                    .map(this::judge)
                    .onFailure().recoverWithItem(e -> down("the broker could not say where the topics end: "
                            + e.getMessage()))
                    .eventually(() -> asking.set(false));
        });
    }

    private HealthCheckResponse judge(Map<TopicPartition, Span> now) {
        if (targets == null) {
            Map<TopicPartition, Long> ends = new HashMap<>();
            now.forEach((partition, span) -> ends.put(partition, span.end()));
            targets = Map.copyOf(ends);
        }
        long behind = 0;
        for (Map.Entry<TopicPartition, Long> target : targets.entrySet()) {
            Span span = now.get(target.getKey());
            if (span == null) {
                continue; // the topic is gone: nothing of it is left to read
            }
            long mustReach = Math.min(target.getValue(), span.end());
            long read = Math.max(changes.readUpTo(target.getKey()), span.beginning());
            behind += Math.max(0, mustReach - read);
        }
        if (behind == 0) {
            caughtUp = true;
            LOG.infof("security: the credential changes announced before start-up are read (%d partitions)",
                    targets.size());
            return HealthCheckResponse.up(NAME);
        }
        return HealthCheckResponse.named(NAME).down().withData("records behind", behind).build();
    }

    /** On the consumer's polling thread: where each existing partition of the topics begins and ends now. */
    private Map<TopicPartition, Span> spans(Consumer<String, String> consumer) {
        List<TopicPartition> partitions = new ArrayList<>();
        for (String topic : CredentialChanges.TOPICS) {
            List<PartitionInfo> infos = consumer.partitionsFor(topic, ASK);
            if (infos != null) {
                infos.forEach(info -> partitions.add(new TopicPartition(info.topic(), info.partition())));
            }
        }
        Map<TopicPartition, Long> ends = consumer.endOffsets(partitions, ASK);
        Map<TopicPartition, Long> beginnings = consumer.beginningOffsets(partitions, ASK);
        Map<TopicPartition, Span> found = new HashMap<>();
        partitions.forEach(partition -> found.put(partition, new Span(beginnings.getOrDefault(partition, 0L),
                ends.getOrDefault(partition, 0L))));
        return found;
    }

    private static HealthCheckResponse down(String why) {
        return HealthCheckResponse.named(NAME).down().withData("why", why).build();
    }
}
