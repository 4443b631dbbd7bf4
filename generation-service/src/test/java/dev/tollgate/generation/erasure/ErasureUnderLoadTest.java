package dev.tollgate.generation.erasure;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.common.event.AccountDeleted;
import dev.tollgate.common.event.AccountPurged;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.generation.FakeOpenAi;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuerResource;
import dev.tollgate.testing.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

/**
 * A user with 200,000 generations is erased while other tenants' completions go on: none of them waits on a lock
 * longer than the erasure's lock timeout (read from PostgreSQL's own view of waiting sessions), every one is
 * answered, and the erasure completes.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeOpenAi.class)
class ErasureUnderLoadTest {

    private static final int GENERATIONS = 200_000;

    @Inject
    EventCodec codec;

    @ConfigProperty(name = "tollgate.erasure.lock-timeout")
    Duration lockTimeout;

    @Test
    void anErasureOfTwoHundredThousandGenerationsHoldsNoOtherTenantsCompletionBack() throws Exception {
        UUID tenant = UUID.randomUUID();
        UUID leaving = UUID.randomUUID();
        Sql.update("""
                insert into generation.generations (id, tenant_id, user_id, model, provider, provider_model, prompt,
                    output, input_tokens, output_tokens, outcome)
                select md5(random()::text || g)::uuid, ?, ?, 'small', 'openai', 'gpt-4o-mini', '[]', 'x', 1, 1,
                    'completed'
                from generate_series(1, ?) g""", tenant, leaving, GENERATIONS);

        AtomicBoolean erasing = new AtomicBoolean(true);
        AtomicLong longestWaitMillis = new AtomicLong();
        Map<Integer, Integer> statuses = new ConcurrentHashMap<>();
        ExecutorService load = Executors.newFixedThreadPool(4);
        List<Future<?>> running = new ArrayList<>();
        // what PostgreSQL says of the sessions waiting for a lock, every 20 ms until the erasure is done
        ScheduledExecutorService sampler = Executors.newSingleThreadScheduledExecutor();
        ScheduledFuture<?> sampling = sampler.scheduleWithFixedDelay(() -> longestWaitMillis.accumulateAndGet(
                Sql.number("""
                        select coalesce(max(extract(epoch from clock_timestamp() - state_change) * 1000), 0)::bigint
                        from pg_stat_activity where wait_event_type = 'Lock' and state = 'active'"""), Math::max),
                0, 20, TimeUnit.MILLISECONDS);
        // other tenants' users keep asking, four at a time (each its own tenant, so no quota ends the run)
        for (int i = 0; i < 4; i++) {
            running.add(load.submit(() -> {
                while (erasing.get()) {
                    int status = Callers.as(UUID.randomUUID(), UUID.randomUUID(), "member")
                            .body("{\"model\":\"premium\",\"max_tokens\":5,\"messages\":[{\"role\":\"user\","
                                    + "\"content\":\"hi\"}]}")
                            .post("/v1/chat/completions").statusCode();
                    statuses.merge(status, 1, Integer::sum);
                }
                return null;
            }));
        }

        // the user's tenant goes too: two of the lock stripes, which other tenants' completions meet now and then
        AccountDeleted request = AccountDeleted.of(tenant, UUID.randomUUID(), leaving, true);
        Topics.send("account.deleted", tenant.toString(), codec.encode(request));
        String found = Topics.find("account.purged", Duration.ofMinutes(4),
                value -> value.contains(request.deletionId().toString()) && value.contains("\"generation\""));
        erasing.set(false);
        for (Future<?> task : running) {
            task.get();
        }
        load.shutdown();
        sampling.cancel(false);
        sampler.shutdown();
        assertTrue(sampler.awaitTermination(10, TimeUnit.SECONDS), "the last sample ended");

        assertNotNull(found, "the erasure completed");
        AccountPurged receipt = codec.decode(found, EventType.ACCOUNT_PURGED);
        assertEquals((long) GENERATIONS, receipt.counts().get("generations"));
        assertEquals(0, Sql.number("select count(*) from generation.generations where user_id = ?", leaving));
        assertTrue(statuses.getOrDefault(200, 0) > 0, "completions ran during the erasure: " + statuses);
        assertEquals(Map.of(200, statuses.get(200)), statuses, "every completion was answered");
        assertTrue(longestWaitMillis.get() < lockTimeout.toMillis(), "the longest wait on a lock was "
                + longestWaitMillis.get() + " ms, the erasure's lock timeout " + lockTimeout.toMillis() + " ms");
    }
}
