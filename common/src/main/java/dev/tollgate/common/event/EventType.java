package dev.tollgate.common.event;

import java.util.List;
import java.util.Optional;

/**
 * Binds each event record to its topic and CloudEvents type. Topics are {@code <aggregate>.<past-tense verb>}.
 *
 * @param <E> the record
 */
public record EventType<E extends TollgateEvent>(String topic, String cloudEventType, Class<E> recordClass) {

    public static final EventType<SubscriptionChanged> SUBSCRIPTION_CHANGED = new EventType<>("subscription.changed",
            "dev.tollgate.subscription.changed.v1", SubscriptionChanged.class);
    public static final EventType<UsageRecorded> USAGE_RECORDED = new EventType<>("usage.recorded",
            "dev.tollgate.usage.recorded.v1", UsageRecorded.class);
    public static final EventType<AccountDeleted> ACCOUNT_DELETED = new EventType<>("account.deleted",
            "dev.tollgate.account.deleted.v1", AccountDeleted.class);
    public static final EventType<AccountPurged> ACCOUNT_PURGED = new EventType<>("account.purged",
            "dev.tollgate.account.purged.v1", AccountPurged.class);
    public static final EventType<ApiKeyRevoked> APIKEY_REVOKED = new EventType<>("apikey.revoked",
            "dev.tollgate.apikey.revoked.v1", ApiKeyRevoked.class);
    public static final EventType<ApiKeyChanged> APIKEY_CHANGED = new EventType<>("apikey.changed",
            "dev.tollgate.apikey.changed.v1", ApiKeyChanged.class);
    public static final EventType<MemberChanged> MEMBER_CHANGED = new EventType<>("member.changed",
            "dev.tollgate.member.changed.v1", MemberChanged.class);

    public static final EventType<SigningKeyRevoked> SIGNINGKEY_REVOKED = new EventType<>("signingkey.revoked",
            "dev.tollgate.signingkey.revoked.v1", SigningKeyRevoked.class);

    public static final EventType<ThresholdCrossed> THRESHOLD_CROSSED = new EventType<>("threshold.crossed",
            "dev.tollgate.threshold.crossed.v1", ThresholdCrossed.class);

    public static final EventType<AuditRecorded> AUDIT_RECORDED = new EventType<>("audit.recorded",
            "dev.tollgate.audit.recorded.v1", AuditRecorded.class);

    public static final List<EventType<?>> ALL = List.of(SUBSCRIPTION_CHANGED, USAGE_RECORDED, ACCOUNT_DELETED,
            ACCOUNT_PURGED, APIKEY_REVOKED, APIKEY_CHANGED, MEMBER_CHANGED, SIGNINGKEY_REVOKED, THRESHOLD_CROSSED,
            AUDIT_RECORDED);

    public static Optional<EventType<?>> ofRecord(Class<?> recordClass) {
        return ALL.stream().filter(type -> type.recordClass().equals(recordClass)).findFirst();
    }

    @SuppressWarnings("unchecked")
    public static <E extends TollgateEvent> EventType<E> of(E event) {
        return (EventType<E>) ofRecord(event.getClass()).orElseThrow(() -> new IllegalArgumentException(
                event.getClass().getName() + " is not a Tollgate event contract"));
    }
}
