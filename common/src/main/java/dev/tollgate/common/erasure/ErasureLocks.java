package dev.tollgate.common.erasure;

import io.smallrye.mutiny.Uni;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import org.hibernate.reactive.mutiny.Mutiny;

/**
 * The locks that keep a write of a user or tenant from slipping past its erasure, per user and tenant rather than
 * per table. A write takes its user's and tenant's locks shared, in a statement of its own before it reads whether
 * they are erased; an erasure takes them exclusively while it marks them erased, and lets go when that short
 * transaction ends. So every write either ends before the marks (and its rows are deleted with the rest) or reads
 * them. Users and tenants share 64 stripes of PostgreSQL transaction-level advisory locks, in the two-key form with
 * the service's schema as first key (services sharing a database never wait for each other), so a batch of
 * thousands takes at most 64 locks; two ids on one stripe only wait for each other's short transactions. An
 * erasure waits at most {@code tollgate.erasure.lock-timeout} for each stripe.
 */
public final class ErasureLocks {

    static final int STRIPES = 64;

    /** For the reactive client: takes, shared, in lock space {@code $1}, the stripes bound as {@code $2}. */
    public static final String SHARED = "select count(pg_advisory_xact_lock_shared($1, s)) from unnest($2::int[]) as s";

    private ErasureLocks() {
    }

    /** The lock space of a service's schema: the first of the two advisory-lock keys. */
    public static int space(String schema) {
        byte[] name = ("erasure:" + schema).getBytes(StandardCharsets.UTF_8);
        int hash = 0x45524153; // "ERAS"
        for (byte b : name) {
            hash = 31 * hash + b;
        }
        return hash;
    }

    /** The stripes of {@code ids}, ascending: every transaction takes them in this order, so none deadlocks. */
    public static Integer[] stripes(Collection<?> ids) {
        return ids.stream().filter(id -> id != null).map(id -> Math.floorMod(id.hashCode(), STRIPES)).distinct()
                .sorted().toArray(Integer[]::new);
    }

    /** Takes the ids' locks shared until the session's transaction ends: a write's first statement. */
    public static Uni<Void> shared(Mutiny.Session session, int space, Collection<?> ids) {
        return session.createNativeQuery("select count(pg_advisory_xact_lock_shared(:space, s)) "
                + "from unnest(cast(:stripes as int[])) as s")
                .setParameter("space", space)
                .setParameter("stripes", stripes(ids))
                .getSingleResult()
                .replaceWithVoid();
    }

    /**
     * Takes the ids' locks exclusively until the session's transaction ends, waiting at most {@code timeout} for
     * each (then the statement fails with SQLSTATE 55P03, which the inbox waits out); the rest of the transaction
     * keeps its own lock timeout.
     */
    public static Uni<Void> exclusive(Mutiny.Session session, int space, Collection<?> ids, Duration timeout) {
        return session.createNativeQuery("select current_setting('lock_timeout'), set_config('lock_timeout', :timeout, "
                + "true)", Object[].class)
                .setParameter("timeout", timeout.toMillis() + "ms")
                .getSingleResult()
                .chain(before -> session.createNativeQuery("select count(pg_advisory_xact_lock(:space, s)) "
                        + "from unnest(cast(:stripes as int[])) as s")
                        .setParameter("space", space)
                        .setParameter("stripes", stripes(ids))
                        .getSingleResult()
                        // the rest of the transaction waits as it did before
                        .chain(() -> session.createNativeQuery("select set_config('lock_timeout', :before, true)")
                                .setParameter("before", String.valueOf(before[0]))
                                .getSingleResult()))
                .replaceWithVoid();
    }
}
