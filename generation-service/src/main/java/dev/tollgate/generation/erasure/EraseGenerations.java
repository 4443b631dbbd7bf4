package dev.tollgate.generation.erasure;

import dev.tollgate.common.erasure.ErasureJobs;
import dev.tollgate.common.erasure.ErasureSteps;
import dev.tollgate.common.event.AccountDeleted;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Deletes what generation-service holds about a user: their generations and their ratings of them (prompts and
 * outputs are personal data; the usage they caused stays in metering's ledger without their id). Each tenant the
 * request deletes loses its generations, ratings and entitlements too. The user and the tenants are marked erased
 * first, under {@link dev.tollgate.common.erasure.ErasureLocks}, so a completion recorded after that stores nothing
 * of theirs; the rows then go in batches ({@link ErasureJobs}), and the receipt ({@code account.purged}) follows.
 */
@ApplicationScoped
public class EraseGenerations implements ErasureSteps {

    public static final String SERVICE = "generation";

    private final ErasureJobs jobs;

    public EraseGenerations(ErasureJobs jobs) {
        this.jobs = jobs;
    }

    /** Runs inside the inbox's transaction. */
    public Uni<Void> erase(AccountDeleted request) {
        return jobs.start(request);
    }

    @Override
    public String service() {
        return SERVICE;
    }

    @Override
    public List<Step> steps(Job job) {
        List<Step> steps = new ArrayList<>();
        steps.add(batch("feedback", "feedback", "user_id = :id", job.userId()));
        steps.add(batch("generations", "generations", "user_id = :id", job.userId()));
        for (UUID tenant : job.tenants()) {
            steps.add(batch("feedback", "feedback", "tenant_id = :id", tenant));
            steps.add(batch("generations", "generations", "tenant_id = :id", tenant));
            steps.add(batch("entitlements", "entitlements", "tenant_id = :id", tenant));
        }
        return steps;
    }

    /** Deletes at most a batch of {@code table}'s rows that {@code where} selects. */
    private static Step batch(String counted, String table, String where, UUID id) {
        return new Step(counted, "delete from {h-schema}" + table + " where ctid = any(array(select ctid from {h-schema}"
                + table + " where " + where + " limit :batch))", Map.of("id", id));
    }
}
