package dev.tollgate.common.inbox;

import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * The events this service's consumers could not apply, kept in its own schema instead of blocking a partition:
 * <ul>
 * <li>{@link #record} keeps one (waiting out a database that is away) and raises the open count, which alerts
 * ({@code TollgateEventDeadLettered}, {@code docs/operations.md#event-dead-lettered}).</li>
 * <li>An open dead letter is re-driven automatically, through the consumer that failed it (the inbox still applies
 * an event once), after growing pauses ({@code tollgate.inbox.dead-letters.*}); once those attempts are spent it
 * waits for an operator, who re-drives it again after a fix or discards it with a reason (the operator endpoints,
 * {@code ./tollgate redrive}).</li>
 * <li>Replicas share the work: a pass takes the rows it re-drives under a five-minute lease (rows another pass holds
 * are skipped), so each dead letter is re-driven by one replica at a time, and an operator's discard waits until
 * the lease ends. A discarded event is recorded in the inbox as applied, so it never applies later.</li>
 * </ul>
 */
@ApplicationScoped
public class DeadLetters {

    private static final Logger LOG = Logger.getLogger(DeadLetters.class);
    /** How many dead letters one pass re-drives at most. */
    static final int PASS = 50;
    /** How long a pass holds the rows it took; a replica that dies meanwhile leaves them to the next pass. */
    static final Duration LEASE = Duration.ofMinutes(5);
    /** How soon a re-drive that met a passing fault (the database away) is tried again, not counted as an attempt. */
    static final Duration AFTER_PASSING_FAULT = Duration.ofMinutes(1);

    /** How a re-drive ended. */
    public enum Result {
        REDRIVEN("redriven"),
        ALREADY_APPLIED("already-applied"),
        FAILED("failed");

        private final String label;

        Result(String label) {
            this.label = label;
        }

        /** How answers and logs name it. */
        public String label() {
            return label;
        }
    }

    /** One dead letter's re-drive; {@code result} is a {@link Result}'s label. */
    public record Outcome(long id, String consumer, String topic, UUID eventId, String result, String error) {

        public boolean is(Result wanted) {
            return wanted.label().equals(result);
        }
    }

    private final InboxConfig config;
    private final MeterRegistry registry;
    private final Map<String, Function<String, Uni<Boolean>>> consumers = new ConcurrentHashMap<>();
    private final AtomicLong open = new AtomicLong();

    public DeadLetters(InboxConfig config, MeterRegistry registry) {
        this.config = config;
        this.registry = registry;
        registry.gauge("tollgate.inbox.dead_letters", open);
    }

    /**
     * Names how {@code consumer} re-applies a dead letter of {@code topic}: the function applies the payload (once,
     * as its consumer would) and answers whether it took effect now (false: it had been applied before), or fails.
     */
    public void register(String consumer, String topic, Function<String, Uni<Boolean>> redrive) {
        consumers.put(key(consumer, topic), redrive);
    }

    /** Keeps {@code payload} as a dead letter of {@code consumer}; a passing fault is waited out. */
    public Uni<Void> record(String consumer, String topic, UUID eventId, String payload, Throwable error) {
        Instant next = Instant.now().plus(config.deadLetters().firstPause());
        return Panache.withTransaction(() -> Panache.getSession().flatMap(session -> session.createNativeQuery("""
                insert into {h-schema}dead_letter (consumer, topic, event_id, payload, last_error, next_attempt_at)
                values (:consumer, :topic, :eventId, :payload, :error, :next)
                on conflict (consumer, event_id) where event_id is not null and resolved_at is null
                do update set last_error = excluded.last_error""")
                .setParameter("consumer", consumer)
                .setParameter("topic", topic)
                .setParameter("eventId", eventId)
                // PostgreSQL's text holds no NUL; a payload carrying one is unreadable JSON anyway
                .setParameter("payload", payload.replace("\u0000", "\\u0000"))
                .setParameter("error", describe(error))
                .setParameter("next", next)
                .executeUpdate()))
                .onFailure(TransientFaults::isTransient).retry().withBackOff(Duration.ofMillis(200), Inbox.LONGEST_PAUSE)
                .indefinitely()
                .onFailure().invoke(e -> {
                    registry.counter("tollgate.inbox.dead_letters.unkept", "consumer", consumer, "topic", topic)
                            .increment();
                    LOG.errorf(e, "alert: inbox %s: %s event %s could not be kept as a dead letter; it goes to the "
                            + "channel's dead-letter topic, or stops the channel that has none", consumer, topic,
                            eventId == null ? "(unreadable)" : eventId);
                })
                .invoke(() -> {
                    open.incrementAndGet();
                    registry.counter("tollgate.inbox.dead_lettered", "consumer", consumer, "topic", topic)
                            .increment();
                    LOG.errorf("alert: inbox %s: %s event %s is dead-lettered, re-driven automatically from %s: %s",
                            consumer, topic, eventId == null ? "(unreadable)" : eventId, next, describe(error));
                })
                .replaceWithVoid();
    }

    @Scheduled(identity = "dead-letter-redrive", every = "${tollgate.inbox.dead-letters.redrive-every}", delayed = "${tollgate.inbox.dead-letters.redrive-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return redriveDue()
                .onFailure().invoke(e -> LOG.warnf("dead letters: a re-drive pass failed, tried again later: %s",
                        e.getMessage()))
                .onFailure().recoverWithNull()
                .chain(() -> Panache.withSession(() -> DeadLetter.count("resolvedAt is null")).invoke(open::set))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Re-drives the open dead letters whose automatic attempt is due. */
    public Uni<List<Outcome>> redriveDue() {
        return take(Which.DUE, null).chain(this::redrive);
    }

    /**
     * An operator's re-drive of the one open dead letter with {@code id}, at once; one that another re-drive holds
     * right now is left to it.
     */
    public Uni<List<Outcome>> redriveNow(Long id) {
        return take(Which.ONE, id).chain(this::redrive);
    }

    /**
     * An operator's re-drive of the open dead letters after {@code after} (by id), up to {@link #PASS} of them,
     * oldest first; those another re-drive holds right now are left to it. To go through all of them, ask again
     * after the last id answered until fewer come back.
     */
    public Uni<List<Outcome>> redriveAfter(long after) {
        return take(Which.AFTER, after).chain(this::redrive);
    }

    /** The dead letter with {@code id}, resolved or not; null when there is none. */
    public Uni<DeadLetter> find(long id) {
        return Panache.withSession(() -> DeadLetter.<DeadLetter> findById(id));
    }

    /** A dead letter a re-drive holds right now: it cannot be discarded or re-driven again until that ends. */
    public static class BusyException extends RuntimeException {
        public BusyException(long id) {
            super("dead letter " + id + " is being re-driven right now; ask again in a moment");
        }
    }

    /** Which open rows a re-drive takes. */
    private enum Which {
        DUE("next_attempt_at <= now()"),
        AFTER("id > :id"),
        ONE("id = :id");

        private final String condition;

        Which(String condition) {
            this.condition = condition;
        }
    }

    /** The open dead letters, oldest first. */
    public Uni<List<DeadLetter>> open(int limit) {
        return Panache.withSession(() -> DeadLetter.<DeadLetter> find("resolvedAt is null order by id").range(0,
                limit - 1).list());
    }

    /**
     * Closes an open dead letter without applying it, and records its event as applied for its consumer, so that a
     * later delivery of the same event (a redelivered record, an event published twice) does not apply it either.
     * Answers null when there is no open one with that id; fails with {@link BusyException} while a re-drive holds it.
     */
    public Uni<DeadLetter> discard(long id, String reason) {
        return Panache.withTransaction(() -> DeadLetter.<DeadLetter> findById(id, LockModeType.PESSIMISTIC_WRITE)
                .chain(letter -> {
                    if (letter == null || letter.resolvedAt != null) {
                        return Uni.createFrom().<DeadLetter> nullItem();
                    }
                    if (letter.leasedUntil != null && letter.leasedUntil.isAfter(Instant.now())) {
                        return Uni.createFrom().<DeadLetter> failure(new BusyException(id));
                    }
                    letter.resolvedAt = Instant.now();
                    letter.nextAttemptAt = null;
                    letter.resolution = "discarded: " + reason;
                    LOG.warnf("dead letters: %d (%s, %s event %s) discarded by an operator: %s", id, letter.consumer,
                            letter.topic, letter.eventId, reason);
                    if (letter.eventId == null) {
                        return Uni.createFrom().item(letter);
                    }
                    return Panache.getSession().flatMap(session -> session.createNativeQuery(
                            "insert into {h-schema}inbox (consumer, event_id, topic) values (:consumer, :eventId, "
                                    + ":topic) on conflict do nothing")
                            .setParameter("consumer", letter.consumer)
                            .setParameter("eventId", letter.eventId)
                            .setParameter("topic", letter.topic)
                            .executeUpdate())
                            .replaceWith(letter);
                })).invoke(letter -> {
                    if (letter != null) {
                        open.updateAndGet(count -> Math.max(0, count - 1));
                    }
                });
    }

    /** Removes dead letters resolved before {@code before}; answers how many went. */
    public Uni<Long> removeResolved(Instant before) {
        return Panache.withTransaction(() -> DeadLetter.delete("resolvedAt < ?1", before));
    }

    /**
     * Takes open rows no re-drive holds, matching {@code which}, under a lease, oldest first; answers their ids. A
     * leased row is re-driven by its holder alone and cannot be discarded meanwhile.
     */
    private Uni<List<Long>> take(Which which, Long id) {
        Instant now = Instant.now();
        return Panache.withTransaction(() -> Panache.getSession().flatMap(session -> {
            var query = session.createNativeQuery("""
                    update {h-schema}dead_letter set leased_until = :leaseUntil
                     where id in (select id from {h-schema}dead_letter
                                   where resolved_at is null and (leased_until is null or leased_until < :now)
                                     and %s
                                   order by id limit :limit for update skip locked)
                    returning id""".formatted(which.condition), Long.class)
                    // leases are written and compared with this service's clock, as discard compares them
                    .setParameter("now", now)
                    .setParameter("leaseUntil", now.plus(LEASE))
                    .setParameter("limit", PASS);
            if (id != null) {
                query.setParameter("id", id);
            }
            return query.getResultList();
        })).map(ids -> ids.stream().sorted().toList());
    }

    private Uni<List<Outcome>> redrive(List<Long> ids) {
        return Multi.createFrom().iterable(ids).onItem().transformToUniAndConcatenate(this::redriveOne)
                .collect().asList();
    }

    private Uni<Outcome> redriveOne(long id) {
        return Panache.withSession(() -> DeadLetter.<DeadLetter> findById(id)).chain(letter -> {
            Function<String, Uni<Boolean>> consumer = consumers.get(key(letter.consumer, letter.topic));
            if (consumer == null) {
                // a consumer this version does not have (renamed, or not started here): left for a later pass
                return failed(letter, new IllegalStateException("no consumer " + letter.consumer + " of "
                        + letter.topic + " in this service"), true);
            }
            return Uni.createFrom().deferred(() -> consumer.apply(letter.payload))
                    .chain(applied -> resolve(letter, applied ? Result.REDRIVEN : Result.ALREADY_APPLIED))
                    .onFailure().recoverWithUni(e -> failed(letter, e, TransientFaults.isTransient(e)));
        });
    }

    private Uni<Outcome> resolve(DeadLetter letter, Result result) {
        String resolution = result.label();
        return Panache.withTransaction(() -> Panache.getSession().flatMap(session -> session.createNativeQuery(
                "update {h-schema}dead_letter set resolved_at = now(), next_attempt_at = null, leased_until = null, "
                        + "resolution = :r where id = :id and resolved_at is null and leased_until = :lease")
                .setParameter("r", resolution)
                .setParameter("id", letter.id)
                .setParameter("lease", letter.leasedUntil)
                .executeUpdate()))
                .map(updated -> {
                    if (updated == 0) {
                        // resolved meanwhile, or its lease ran out and another re-drive holds it: nothing to count
                        return new Outcome(letter.id, letter.consumer, letter.topic, letter.eventId, resolution,
                                "already resolved");
                    }
                    open.updateAndGet(count -> Math.max(0, count - 1));
                    registry.counter("tollgate.inbox.redrives", "consumer", letter.consumer, "outcome", resolution)
                            .increment();
                    LOG.infof("dead letters: %d (%s, %s event %s) %s", letter.id, letter.consumer, letter.topic,
                            letter.eventId, resolution);
                    return new Outcome(letter.id, letter.consumer, letter.topic, letter.eventId, resolution, null);
                });
    }

    /** Notes a failed re-drive: a passing fault is not an attempt; the last automatic attempt hands it to an operator. */
    private Uni<Outcome> failed(DeadLetter letter, Throwable error, boolean passing) {
        int attempts = passing ? letter.attempts : letter.attempts + 1;
        InboxConfig.DeadLetterConfig policy = config.deadLetters();
        Instant next = passing ? Instant.now().plus(AFTER_PASSING_FAULT)
                : attempts <= policy.redriveAttempts() ? Instant.now().plus(pause(policy.firstPause(), attempts))
                        : null;
        String described = describe(error);
        return Panache.withTransaction(() -> Panache.getSession().flatMap(session -> session.createNativeQuery(
                "update {h-schema}dead_letter set attempts = :attempts, last_error = :error, next_attempt_at = :next, "
                        + "leased_until = null where id = :id and resolved_at is null and leased_until = :lease")
                .setParameter("attempts", attempts)
                .setParameter("error", described)
                .setParameter("next", next)
                .setParameter("id", letter.id)
                .setParameter("lease", letter.leasedUntil)
                .executeUpdate()))
                .map(updated -> {
                    registry.counter("tollgate.inbox.redrives", "consumer", letter.consumer, "outcome", "failed")
                            .increment();
                    if (next == null) {
                        LOG.errorf("alert: dead letters: %d (%s, %s event %s) failed %d times; the automatic "
                                + "re-drives are spent, an operator re-drives or discards it: %s", letter.id,
                                letter.consumer, letter.topic, letter.eventId, attempts, described);
                    } else {
                        LOG.warnf("dead letters: %d (%s, %s event %s) failed again (%d), next re-drive at %s: %s",
                                letter.id, letter.consumer, letter.topic, letter.eventId, attempts, next, described);
                    }
                    return new Outcome(letter.id, letter.consumer, letter.topic, letter.eventId,
                            Result.FAILED.label(), described);
                });
    }

    /** After failure number {@code attempts}: the first pause, then four times longer each time, at most a day. */
    static Duration pause(Duration first, int attempts) {
        Duration pause = first.multipliedBy(1L << (2 * Math.min(Math.max(attempts - 1, 0), 10)));
        return pause.compareTo(Duration.ofDays(1)) > 0 ? Duration.ofDays(1) : pause;
    }

    private static String key(String consumer, String topic) {
        return consumer + "\n" + topic;
    }

    static String describe(Throwable error) {
        Throwable root = error;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String text = root == error ? error.toString() : error.getMessage() + " (" + root + ")";
        return text.length() > 2000 ? text.substring(0, 2000) : text;
    }
}
