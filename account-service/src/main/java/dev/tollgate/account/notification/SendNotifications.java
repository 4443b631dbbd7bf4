package dev.tollgate.account.notification;

import dev.tollgate.account.config.AccountConfig;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.mailer.Mail;
import io.quarkus.mailer.reactive.ReactiveMailer;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Sends the recorded notification mails, oldest first. A pass claims a few (a lease in a short transaction of its
 * own, so another replica leaves them alone), sends them outside any transaction, each within {@link #SEND_TIMEOUT},
 * and marks each sent in a transaction of its own: the row then keeps no address or text. A refusal is tried again
 * after a growing pause (up to 5 minutes) and stops the pass, releasing the rest; a mail still unsent
 * {@code tollgate.account.notifications.give-up-after} after it was recorded is given up, logged as an alert. A crash
 * between a send and its mark may send that mail twice; an event applied twice never does.
 */
@ApplicationScoped
public class SendNotifications {

    private static final Logger LOG = Logger.getLogger(SendNotifications.class);
    static final int BATCH = 5;
    static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);
    /** Longer than a pass can take ({@link #BATCH} sends of {@link #SEND_TIMEOUT} each). */
    static final Duration LEASE = Duration.ofMinutes(5);
    static final Duration LONGEST_PAUSE = Duration.ofMinutes(5);

    private final ReactiveMailer mailer;
    private final AccountConfig config;
    private final MeterRegistry registry;

    public SendNotifications(ReactiveMailer mailer, AccountConfig config, MeterRegistry registry) {
        this.mailer = mailer;
        this.config = config;
        this.registry = registry;
    }

    /** A mail to send, as its row holds it. */
    record Pending(String key, String kind, String to, String subject, String body, int attempts, Instant createdAt) {
    }

    @Scheduled(identity = "notifications", every = "${tollgate.account.notifications.send-every}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> send() {
        return claim().chain(this::deliverInTurn)
                .onFailure().invoke(e -> LOG.warnf("notifications: a sending pass failed, tried again: %s", e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    /** Leases the oldest due mails to this pass, in a transaction of its own. */
    private Uni<List<Pending>> claim() {
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery("""
                update {h-schema}notifications set lease_until = :leaseUntil, attempts = attempts + 1
                 where key in (select key from {h-schema}notifications
                                where sent_at is null and failed_at is null and recipient is not null
                                  and (next_attempt_at is null or next_attempt_at <= now())
                                  and (lease_until is null or lease_until < now())
                                order by created_at limit :batch
                                for update skip locked)
                returning key, kind, recipient, subject, body, attempts, extract(epoch from created_at)""", Object[].class)
                .setParameter("leaseUntil", Instant.now().plus(LEASE))
                .setParameter("batch", BATCH)
                .getResultList()))
                .map(rows -> rows.stream().map(row -> new Pending((String) row[0], (String) row[1], (String) row[2],
                        (String) row[3], (String) row[4], ((Number) row[5]).intValue(),
                        Instant.ofEpochMilli(Math.round(((Number) row[6]).doubleValue() * 1000))))
                        .sorted(Comparator.comparing(Pending::createdAt)).toList());
    }

    /** Sends the claimed mails one after the other; the first refusal stops the pass and releases the rest. */
    private Uni<Void> deliverInTurn(List<Pending> claimed) {
        Uni<Boolean> chain = Uni.createFrom().item(true);
        for (int i = 0; i < claimed.size(); i++) {
            Pending mail = claimed.get(i);
            List<Pending> rest = claimed.subList(i + 1, claimed.size());
            chain = chain.chain(going -> !going ? Uni.createFrom().item(false)
                    : deliver(mail).call(sent -> sent ? Uni.createFrom().voidItem() : release(rest)));
        }
        return chain.replaceWithVoid();
    }

    /** Sends one mail and marks it; answers whether it went. */
    private Uni<Boolean> deliver(Pending mail) {
        return mailer.send(Mail.withText(mail.to(), mail.subject(), mail.body()))
                .ifNoItem().after(SEND_TIMEOUT).fail()
                .map(sent -> true)
                .onFailure().recoverWithUni(e -> refused(mail, e).replaceWith(false))
                .call(sent -> sent ? markSent(mail) : Uni.createFrom().voidItem());
    }

    private Uni<Void> markSent(Pending mail) {
        registry.counter("tollgate.account.notifications", "kind", mail.kind(), "outcome", "sent").increment();
        LOG.infof("notifications: %s sent (%s)", mail.kind(), mail.key());
        // an erasure may have removed the row meanwhile: then nothing is left to mark
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery("""
                update {h-schema}notifications
                   set sent_at = now(), recipient = null, subject = null, body = null, last_error = null,
                       lease_until = null
                 where key = :key and sent_at is null""").setParameter("key", mail.key()).executeUpdate()))
                .onFailure().invoke(e -> LOG.warnf("notifications: %s (%s) went but could not be marked sent; it may "
                        + "go again when its lease ends: %s", mail.kind(), mail.key(), e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private Uni<Void> refused(Pending mail, Throwable error) {
        boolean givenUp = mail.createdAt().plus(config.notifications().giveUpAfter()).isBefore(Instant.now());
        Duration pause = pause(mail.attempts());
        registry.counter("tollgate.account.notifications", "kind", mail.kind(), "outcome", givenUp ? "failed" : "retried")
                .increment();
        if (givenUp) {
            LOG.errorf("alert: notifications: %s (%s) could not be sent since %s (%d attempts), given up: %s",
                    mail.kind(), mail.key(), mail.createdAt(), mail.attempts(), error.toString());
        } else {
            LOG.warnf("notifications: %s (%s) could not be sent (attempt %d), tried again in %s: %s", mail.kind(),
                    mail.key(), mail.attempts(), pause, error.toString());
        }
        String update = givenUp ? """
                update {h-schema}notifications
                   set last_error = :error, failed_at = now(), lease_until = null,
                       recipient = null, subject = null, body = null
                 where key = :key and sent_at is null""" : """
                update {h-schema}notifications
                   set last_error = :error, lease_until = null,
                       next_attempt_at = now() + make_interval(secs => :pause)
                 where key = :key and sent_at is null""";
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> {
            var query = session.createNativeQuery(update)
                    .setParameter("error", String.valueOf(error.getMessage()))
                    .setParameter("key", mail.key());
            return (givenUp ? query : query.setParameter("pause", (double) pause.toSeconds())).executeUpdate();
        })).replaceWithVoid();
    }

    /** Gives the rest of a stopped pass back, without spending their attempts. */
    private Uni<Void> release(List<Pending> rest) {
        if (rest.isEmpty()) {
            return Uni.createFrom().voidItem();
        }
        return Panache.withTransaction(() -> Panache.getSession().chain(session -> session.createNativeQuery("""
                update {h-schema}notifications set lease_until = null, attempts = attempts - 1
                 where key in (:keys) and sent_at is null""")
                .setParameter("keys", rest.stream().map(Pending::key).toList())
                .executeUpdate())).replaceWithVoid();
    }

    /** 2 s, 4 s, 8 s ... up to {@link #LONGEST_PAUSE}. */
    static Duration pause(int attempts) {
        Duration pause = Duration.ofSeconds(1L << Math.min(Math.max(attempts, 1), 12));
        return pause.compareTo(LONGEST_PAUSE) > 0 ? LONGEST_PAUSE : pause;
    }
}
