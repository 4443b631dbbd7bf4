package dev.tollgate.metering.usage;

import dev.tollgate.common.error.Problems;
import dev.tollgate.common.plan.BillingPeriod;
import dev.tollgate.common.plan.TenantPlan;
import dev.tollgate.common.plan.TenantPlans;
import dev.tollgate.common.security.Caller;
import dev.tollgate.metering.config.MeteringConfig;
import dev.tollgate.metering.usage.api.HistoryView;
import dev.tollgate.metering.usage.api.LimitsView;
import dev.tollgate.metering.usage.api.UsageView;
import dev.tollgate.metering.usage.repository.UsageRepository;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;

/**
 * The usage API's answers, always for the caller's tenant. Every member sees the tenant's totals against its
 * quotas and their own usage; owners and admins may look at any user of the tenant, members only at
 * themselves.
 */
@ApplicationScoped
public class UsageReport {

    private static final Set<String> ADMIN_ROLES = Set.of("owner", "admin");

    private final TenantPlans plans;
    private final UsageRepository usage;
    private final MeteringConfig config;

    public UsageReport(TenantPlans plans, UsageRepository usage, MeteringConfig config) {
        this.plans = plans;
        this.usage = usage;
        this.config = config;
    }

    public Uni<UsageView> current(Caller caller, UUID user) {
        UUID subject = subject(caller, user, false);
        Instant now = Instant.now();
        return plans.of(caller.tenantId()).chain(plan -> {
            BillingPeriod period = plan.period(now);
            return usage.units(caller.tenantId(), period.start(), null)
                    .chain(tenantUnits -> usage.units(caller.tenantId(), period.start(), subject)
                            .map(userUnits -> new UsageView(caller.tenantId(), plan.plan(), period.start(), period.end(),
                                    metrics(plan, period, tenantUnits), subject, userUnits)));
        });
    }

    public Uni<HistoryView> history(Caller caller, Instant from, Instant to, Grouping grouping, UUID user) {
        UUID only = subject(caller, user, true);
        return plans.of(caller.tenantId()).chain(plan -> {
            Instant start = from != null ? from : plan.period(Instant.now()).start();
            Instant end = to != null ? to : Instant.now();
            if (!end.isAfter(start)) {
                throw Problems.badRequest("invalid-parameter", "Invalid Parameter", "'to' (" + end
                        + ") must be after 'from' (" + start + ")");
            }
            if (end.isAfter(start.plus(config.historyMaxSpan()))) {
                throw Problems.badRequest("invalid-parameter", "Invalid Parameter", "history spans at most "
                        + config.historyMaxSpan().toDays() + " days at once; ask for a shorter 'from'..'to'");
            }
            return usage.history(caller.tenantId(), start, end, only, grouping).map(buckets -> new HistoryView(
                    caller.tenantId(), start, end, grouping.name().toLowerCase(Locale.ROOT), only,
                    buckets.stream().map(b -> new HistoryView.Bucket(b.key(), b.units())).toList()));
        });
    }

    public Uni<LimitsView> limits(Caller caller) {
        Instant now = Instant.now();
        return plans.of(caller.tenantId()).map(plan -> {
            BillingPeriod period = plan.period(now);
            var e = plan.entitlements();
            return new LimitsView(caller.tenantId(), plan.plan(), plan.status(), plan.freeTier(), period.start(),
                    period.end(), e.monthlyQuotas(), e.rateLimits(), e.allowedModels(), e.features(), e.overageAllowed());
        });
    }

    /**
     * Whose usage the caller may see: the one asked for when the caller is an owner or admin (or asks for
     * themselves), else 403. Without a user: the caller for {@link #current}; everyone ({@code null}) for an
     * admin's history, the caller for a member's.
     */
    private static UUID subject(Caller caller, UUID user, boolean everyoneForAdmins) {
        if (user != null) {
            if (!user.equals(caller.userId()) && !isAdmin(caller)) {
                throw Problems.forbidden("only the tenant's owners and admins see other users' usage");
            }
            return user;
        }
        return everyoneForAdmins && isAdmin(caller) ? null : caller.userId();
    }

    private static boolean isAdmin(Caller caller) {
        return caller.roles().stream().anyMatch(ADMIN_ROLES::contains);
    }

    private static List<UsageView.MetricUsage> metrics(TenantPlan plan, BillingPeriod period, Map<String, Long> used) {
        Map<String, Long> quotas = plan.entitlements().monthlyQuotas();
        Set<String> names = new TreeSet<>(quotas.keySet());
        names.addAll(used.keySet());
        List<UsageView.MetricUsage> metrics = new ArrayList<>();
        for (String metric : names) {
            long units = used.getOrDefault(metric, 0L);
            Long limit = quotas.get(metric);
            metrics.add(new UsageView.MetricUsage(metric, units, limit, limit == null ? null : Math.max(0, limit - units),
                    limit == null ? null : limit == 0 ? 100.0 : Math.round(units * 1000.0 / limit) / 10.0,
                    period.end()));
        }
        return metrics;
    }
}
