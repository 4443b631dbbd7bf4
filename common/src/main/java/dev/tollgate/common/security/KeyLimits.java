package dev.tollgate.common.security;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.tollgate.common.event.UsageRecorded;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * An API key's own controls, on top of its tenant's plan: a budget per billing period in the plan's metrics, requests
 * and tokens per minute, and the models it may call. Each is optional (absent: only the tenant's limits apply). How
 * auth-service keeps them and answers them, and how the gateway enforces them.
 *
 * @param monthlyBudget metric ({@link #METRICS}) to units per billing period of the tenant
 * @param requestsPerMinute null: none of its own
 * @param tokensPerMinute null: none of its own; a request counts its worst case (prompt plus max tokens)
 * @param models the models it may call (of those its plan allows); empty: all the plan allows
 */
public record KeyLimits(Map<String, Long> monthlyBudget, Long requestsPerMinute, Long tokensPerMinute,
        List<String> models) {

    /** The metrics a key's budget may name. */
    public static final Set<String> METRICS = Set.of(UsageRecorded.GENERATIONS, UsageRecorded.INPUT_TOKENS,
            UsageRecorded.OUTPUT_TOKENS, UsageRecorded.COST_MICROS);
    /** The largest budget of one metric (counters stay exact below 2^53). */
    public static final long MAX_UNITS = 1_000_000_000_000_000L;
    /** The most models one key may name. */
    public static final int MAX_MODELS = 100;

    public static final KeyLimits NONE = new KeyLimits(Map.of(), null, null, List.of());

    public KeyLimits {
        monthlyBudget = monthlyBudget == null ? Map.of() : Collections.unmodifiableMap(new TreeMap<>(monthlyBudget));
        // a null name stays, for problems() to name
        models = models == null ? List.of() : Collections.unmodifiableList(new ArrayList<>(new LinkedHashSet<>(models)));
    }

    /** Whether the key has no control of its own. */
    @JsonIgnore
    public boolean isEmpty() {
        return monthlyBudget.isEmpty() && requestsPerMinute == null && tokensPerMinute == null && models.isEmpty();
    }

    /** Whether the key may call {@code model} (its plan aside). */
    public boolean allows(String model) {
        return models.isEmpty() || models.contains(model);
    }

    /** What is wrong with these limits, each naming its field; empty when they can be kept. */
    public List<String> problems() {
        List<String> problems = new ArrayList<>();
        monthlyBudget.forEach((metric, units) -> {
            if (!METRICS.contains(metric)) {
                problems.add("limits.monthlyBudget." + metric + ": not a metric; the metrics are "
                        + new java.util.TreeSet<>(METRICS));
            } else if (units == null || units < 0 || units > MAX_UNITS) {
                problems.add("limits.monthlyBudget." + metric + ": must be between 0 and " + MAX_UNITS);
            }
        });
        if (requestsPerMinute != null && (requestsPerMinute < 1 || requestsPerMinute > 1_000_000)) {
            problems.add("limits.requestsPerMinute: must be between 1 and 1000000");
        }
        if (tokensPerMinute != null && (tokensPerMinute < 1 || tokensPerMinute > 10_000_000L)) {
            problems.add("limits.tokensPerMinute: must be between 1 and 10000000");
        }
        if (models.size() > MAX_MODELS) {
            problems.add("limits.models: at most " + MAX_MODELS + " models");
        }
        models.stream().filter(model -> model == null || model.isBlank() || model.length() > 200
                || model.chars().anyMatch(c -> c <= ' ')).findFirst()
                .ifPresent(model -> problems.add("limits.models: '" + model + "' is not a model name"));
        return problems;
    }

    /**
     * These limits as a key created or changed by {@code creator} (an API key managing keys) may have them: a
     * control the creator has and these lack is inherited; answers the controls that exceed the creator's (none:
     * empty), so that a managing key never hands out more than it has itself.
     */
    public KeyLimits within(KeyLimits creator, List<String> beyond) {
        Map<String, Long> budget = new LinkedHashMap<>(monthlyBudget);
        creator.monthlyBudget.forEach((metric, units) -> {
            Long asked = budget.get(metric);
            if (asked == null) {
                budget.put(metric, units);
            } else if (asked > units) {
                beyond.add("limits.monthlyBudget." + metric);
            }
        });
        Long rpm = bounded(requestsPerMinute, creator.requestsPerMinute, "limits.requestsPerMinute", beyond);
        Long tpm = bounded(tokensPerMinute, creator.tokensPerMinute, "limits.tokensPerMinute", beyond);
        List<String> allowed = models;
        if (!creator.models.isEmpty()) {
            if (models.isEmpty()) {
                allowed = creator.models;
            } else if (!creator.models.containsAll(models)) {
                beyond.add("limits.models");
            }
        }
        return new KeyLimits(budget, rpm, tpm, allowed);
    }

    private static Long bounded(Long asked, Long creator, String field, List<String> beyond) {
        if (creator == null) {
            return asked;
        }
        if (asked == null) {
            return creator;
        }
        if (asked > creator) {
            beyond.add(field);
        }
        return asked;
    }
}
