package dev.tollgate.metering.erasure;

import dev.tollgate.common.erasure.ErasureJobs;
import dev.tollgate.common.erasure.ErasureSteps;
import dev.tollgate.common.event.AccountDeleted;
import dev.tollgate.metering.ledger.repository.LedgerRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Pseudonymizes a user's usage: the ledger keeps every event and every total of a remaining tenant (invoices are
 * built from them) but no longer says whose they were. The user's events lose their user and subject ids; the
 * user's totals move into the tenant's totals of no user; usage of the user's that arrives later is recorded the
 * same way. Each tenant the request deletes loses its events, totals, entitlements and threshold records: usage and
 * plans that arrive about it later are not kept. The user and the tenants are marked erased first, under
 * {@link dev.tollgate.common.erasure.ErasureLocks} (the ledger takes them shared for each batch it writes); the rows
 * then change in batches ({@link ErasureJobs}), and the receipt ({@code account.purged}) follows.
 */
@ApplicationScoped
public class EraseUsage implements ErasureSteps {

    public static final String SERVICE = "metering";
    private static final String NO_USER = LedgerRepository.NO_USER.toString();

    private final ErasureJobs jobs;

    public EraseUsage(ErasureJobs jobs) {
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
        Map<String, Object> byUser = Map.of("user", job.userId());
        List<Step> steps = new ArrayList<>();
        steps.add(new Step("usage_events", """
                update {h-schema}usage_events set user_id = null, subject_id = null, api_key_id = null
                where ctid = any(array(select ctid from {h-schema}usage_events where user_id = :user limit :batch))""",
                byUser));
        steps.add(new Step("usage_totals", mergeTotals(), byUser));
        for (UUID tenant : job.tenants()) {
            Map<String, Object> byTenant = Map.of("tenant", tenant);
            for (String[] table : new String[][] { { "tenant_usage_events", "usage_events" },
                    { "tenant_usage_totals", "usage_aggregates" }, { "entitlements", "entitlements" },
                    { "threshold_alerts", "threshold_alerts" } }) {
                steps.add(new Step(table[0], "delete from {h-schema}" + table[1] + " where ctid = any(array(select ctid "
                        + "from {h-schema}" + table[1] + " where tenant_id = :tenant limit :batch))", byTenant));
            }
        }
        return steps;
    }

    /** Moves at most a batch of the user's totals into their tenant's totals of no user. */
    private static String mergeTotals() {
        return """
                with moved as (
                    delete from {h-schema}usage_aggregates where ctid = any(array(select ctid
                        from {h-schema}usage_aggregates where user_id = :user and user_id <> '%1$s' limit :batch))
                    returning tenant_id, period_start, metric, units
                )
                insert into {h-schema}usage_aggregates (tenant_id, period_start, user_id, metric, units)
                select tenant_id, period_start, '%1$s'::uuid, metric, sum(units) from moved
                group by tenant_id, period_start, metric
                on conflict (tenant_id, period_start, user_id, metric)
                    do update set units = usage_aggregates.units + excluded.units, updated_at = now()""".formatted(
                NO_USER);
    }
}
