package dev.tollgate.common.security;

import dev.tollgate.common.event.ApiKeyChanged;
import dev.tollgate.common.event.ApiKeyRevoked;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.MemberChanged;
import dev.tollgate.common.event.SigningKeyRevoked;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * What changed about credentials since their tokens were signed, as every replica of every service learns it:
 * revoked API keys ({@code apikey.revoked}), API keys whose controls changed ({@code apikey.changed}), members whose role
 * changed or who left a tenant
 * ({@code member.changed}), and signing keys an operator revoked ({@code signingkey.revoked}, remembered for good:
 * the topic is read from its start). An access token lives for minutes, so a change is remembered for
 * {@code tollgate.security.changes-remembered} (longer than any token lives) and then forgotten. Each replica reads
 * both topics in a consumer group of its own from the earliest record, skipping what is older than that, so a replica
 * that starts knows the changes of the last minutes too. {@link AccessPolicy} asks it on every request that needs a
 * credential; a revocation also reaches whoever observes {@link ApiKeyRevoked} (generation's key cache), and a
 * key whose controls changed ({@code apikey.changed}) whoever observes {@link ApiKeyChanged}.
 */
@ApplicationScoped
public class CredentialChanges {

    static final String CHANNEL = "credential-changes";
    /** The topics the channel reads (its {@code topics} in common's configuration). */
    static final List<String> TOPICS = List.of(EventType.APIKEY_REVOKED.topic(), EventType.APIKEY_CHANGED.topic(),
            EventType.MEMBER_CHANGED.topic(), EventType.SIGNINGKEY_REVOKED.topic());
    private static final Logger LOG = Logger.getLogger(CredentialChanges.class);

    /**
     * A member's role from {@code at} on (null when they left the tenant), and when they last left it (null if not
     * within memory): a rejoin does not bring back a credential issued before the member left.
     */
    public record RoleChange(String role, Instant at, Instant leftAt) {

        /** Whether the member left the tenant after a credential issued at {@code since} (within {@link #SLACK}). */
        public boolean leftAfter(Instant since) {
            return leftAt != null && (since == null || leftAt.isAfter(since.minus(SLACK)));
        }
    }

    private record Member(UUID tenantId, UUID userId) {
    }

    private final Map<UUID, Instant> revokedKeys = new ConcurrentHashMap<>();
    /** Revoked signing keys are never forgotten: a token they signed must never be trusted again. */
    private final Map<String, Instant> revokedSigningKeys = new ConcurrentHashMap<>();
    private final Map<Member, RoleChange> roles = new ConcurrentHashMap<>();
    /** Per partition, the offset after the last record read: how far this replica has caught up. */
    private final Map<TopicPartition, Long> readUpTo = new ConcurrentHashMap<>();
    private final Duration remembered;
    private final EventCodec codec;
    private final Event<ApiKeyRevoked> revocations;
    private final Event<ApiKeyChanged> keyChanges;
    private final Event<SigningKeyRevoked> signingKeyRevocations;
    private final MeterRegistry registry;

    public CredentialChanges(SecurityConfig config, EventCodec codec, Event<ApiKeyRevoked> revocations,
            Event<ApiKeyChanged> keyChanges, Event<SigningKeyRevoked> signingKeyRevocations, MeterRegistry registry) {
        this.keyChanges = keyChanges;
        this.signingKeyRevocations = signingKeyRevocations;
        this.remembered = config.changesRemembered();
        this.codec = codec;
        this.revocations = revocations;
        this.registry = registry;
        registry.gaugeMapSize("tollgate.security.credential_changes", Tags.of("kind", "revoked-key"),
                revokedKeys);
        registry.gaugeMapSize("tollgate.security.credential_changes", Tags.of("kind", "role"), roles);
    }

    @Incoming(CHANNEL)
    public void consume(ConsumerRecord<String, String> record) {
        try {
            read(record);
        } finally {
            readUpTo.merge(new TopicPartition(record.topic(), record.partition()), record.offset() + 1, Math::max);
        }
    }

    /** The offset after the last record read from {@code partition} (0 before any). */
    long readUpTo(TopicPartition partition) {
        return readUpTo.getOrDefault(partition, 0L);
    }

    private void read(ConsumerRecord<String, String> record) {
        Instant horizon = Instant.now().minus(remembered);
        try {
            if (EventType.APIKEY_REVOKED.topic().equals(record.topic())) {
                ApiKeyRevoked revoked = codec.decode(record.value(), EventType.APIKEY_REVOKED);
                if (revoked.occurredAt().isAfter(horizon)) {
                    keyRevoked(revoked.apiKeyId(), revoked.occurredAt());
                    revocations.fire(revoked);
                }
            } else if (EventType.APIKEY_CHANGED.topic().equals(record.topic())) {
                ApiKeyChanged changed = codec.decode(record.value(), EventType.APIKEY_CHANGED);
                if (changed.occurredAt().isAfter(horizon)) {
                    keyChanges.fire(changed);
                }
            } else if (EventType.SIGNINGKEY_REVOKED.topic().equals(record.topic())) {
                SigningKeyRevoked revoked = codec.decode(record.value(), EventType.SIGNINGKEY_REVOKED);
                signingKeyRevoked(revoked.kid(), revoked.occurredAt());
                signingKeyRevocations.fire(revoked);
            } else if (EventType.MEMBER_CHANGED.topic().equals(record.topic())) {
                MemberChanged changed = codec.decode(record.value(), EventType.MEMBER_CHANGED);
                if (changed.occurredAt().isAfter(horizon)) {
                    roleChanged(changed.tenantId(), changed.userId(), changed.role(), changed.occurredAt());
                }
            }
        } catch (EventCodec.UnreadableEventException e) {
            LOG.errorf("security: unreadable %s record skipped: %s", record.topic(), e.getMessage());
            registry.counter("tollgate.security.credential_change_events", "outcome", "unreadable").increment();
            return;
        }
        registry.counter("tollgate.security.credential_change_events", "outcome", "read").increment();
        forgetBefore(horizon);
    }

    /** Notes that {@code keyId} was revoked at {@code at}. */
    public void keyRevoked(UUID keyId, Instant at) {
        revokedKeys.merge(keyId, at, (old, fresh) -> old.isBefore(fresh) ? old : fresh);
        LOG.infof("security: API key %s revoked; its tokens are refused from now on", keyId);
    }

    /** Notes that the user's role in the tenant is {@code role} (null: they left) from {@code at} on. */
    public void roleChanged(UUID tenantId, UUID userId, String role, Instant at) {
        roles.merge(new Member(tenantId, userId), new RoleChange(role, at, role == null ? at : null),
                (old, fresh) -> {
                    RoleChange newest = old.at().isAfter(fresh.at()) ? old : fresh;
                    return new RoleChange(newest.role(), newest.at(), latest(old.leftAt(), fresh.leftAt()));
                });
        LOG.infof("security: user %s is now %s in tenant %s; older tokens' role is not trusted", userId,
                role == null ? "no member" : role, tenantId);
    }

    /** Notes that tokens signed with {@code kid} are not to be trusted, from now on and for good. */
    public void signingKeyRevoked(String kid, Instant at) {
        if (revokedSigningKeys.putIfAbsent(kid, at) == null) {
            LOG.warnf("security: signing key %s revoked; every token it signed is refused", kid);
        }
    }

    public boolean isSigningKeyRevoked(String kid) {
        return kid != null && revokedSigningKeys.containsKey(kid);
    }

    public boolean isRevoked(UUID keyId) {
        return keyId != null && revokedKeys.containsKey(keyId);
    }

    /**
     * The user's role in the tenant if it changed after {@code since} (a token's issue time), or up to
     * {@link #SLACK} before it: a change is stamped before its transaction commits, {@code iat} has whole seconds and
     * auth-service's replicas' clocks differ, so a token signed just after the change may still carry the old role.
     * Judging such a token by the new role costs nothing: it is the role now.
     */
    public Optional<RoleChange> roleChangedAfter(UUID tenantId, UUID userId, Instant since) {
        RoleChange change = roles.get(new Member(tenantId, userId));
        return change != null && (since == null || change.at().isAfter(since.minus(SLACK))) ? Optional.of(change)
                : Optional.empty();
    }

    /** How much later than a change a token may be signed and still carry what the change undid. */
    static final Duration SLACK = Duration.ofSeconds(5);

    private static Instant latest(Instant a, Instant b) {
        return a == null ? b : b == null ? a : a.isAfter(b) ? a : b;
    }

    private void forgetBefore(Instant horizon) {
        revokedKeys.values().removeIf(at -> at.isBefore(horizon));
        roles.values().removeIf(change -> change.at().isBefore(horizon));
    }
}
