package dev.tollgate.common.schedule;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A scheduled job runs once per period across replicas: of replicas whose timers fire within one period, one runs
 * it. Two JobRuns beans stand for two replicas here (each claims as a replica of its own).
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class JobRunsTest {

    @Inject
    JobRuns replica;

    @Test
    void ofReplicasFiringWithinOnePeriodOneRunsTheJob() throws Throwable {
        String job = "test-" + UUID.randomUUID();
        JobRuns other = new JobRuns();
        AtomicInteger runs = new AtomicInteger();

        VertxContextSupport.subscribeAndAwait(() -> replica.once(job, Duration.ofHours(1), () -> count(runs)));
        VertxContextSupport.subscribeAndAwait(() -> other.once(job, Duration.ofHours(1), () -> count(runs)));
        VertxContextSupport.subscribeAndAwait(() -> replica.once(job, Duration.ofHours(1), () -> count(runs)));
        assertEquals(1, runs.get(), "one run in the period, whichever replica fires");

        // a period later (the last start moved back an hour), the next replica to fire runs it
        Sql.update("update common_test.job_run set started_at = started_at - interval '1 hour' where job = ?", job);
        VertxContextSupport.subscribeAndAwait(() -> other.once(job, Duration.ofHours(1), () -> count(runs)));
        assertEquals(2, runs.get());
    }

    @Test
    void aTimerFiringALittleEarlyStillRunsItsPeriodsJob() throws Throwable {
        String job = "test-" + UUID.randomUUID();
        assertTrue(VertxContextSupport.subscribeAndAwait(() -> replica.claim(job, Duration.ofMinutes(10))));
        // 9.5 minutes later: within the slack of a 10-minute period
        Sql.update("update common_test.job_run set started_at = started_at - interval '570 seconds' where job = ?",
                job);
        assertTrue(VertxContextSupport.subscribeAndAwait(() -> replica.claim(job, Duration.ofMinutes(10))));
        // but not 5 minutes later
        Sql.update("update common_test.job_run set started_at = started_at - interval '300 seconds' where job = ?",
                job);
        assertFalse(VertxContextSupport.subscribeAndAwait(() -> new JobRuns().claim(job, Duration.ofMinutes(10))));
    }

    private static io.smallrye.mutiny.Uni<Integer> count(AtomicInteger runs) {
        return io.smallrye.mutiny.Uni.createFrom().item(runs::incrementAndGet);
    }
}
