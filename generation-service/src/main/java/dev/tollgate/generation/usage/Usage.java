package dev.tollgate.generation.usage;

import dev.tollgate.common.event.UsageRecorded;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What one call used, or may use at worst, in the plan's metrics: what the gate holds and settles, and what
 * {@code usage.recorded} counts. A generation counts all four metrics (and the cached part of its input when there is
 * one); embeddings count input tokens and their cost only.
 *
 * @param cachedInputTokens the part of {@code inputTokens} the provider read from its prompt cache
 */
public record Usage(long generations, long inputTokens, long cachedInputTokens, long outputTokens, long costMicros) {

    /** Nothing used: a call that got no answer gives back all it held. */
    public static final Usage NONE = new Usage(0, 0, 0, 0, 0);

    /** One generation. */
    public static Usage generation(long inputTokens, long cachedInputTokens, long outputTokens, long costMicros) {
        return new Usage(1, inputTokens, cachedInputTokens, outputTokens, costMicros);
    }

    /** Embeddings: input tokens and their cost, no generation. */
    public static Usage embeddings(long inputTokens, long costMicros) {
        return new Usage(0, inputTokens, 0, 0, costMicros);
    }

    /** Input and output tokens together, as a tokens-per-minute limit counts them. */
    public long tokens() {
        return inputTokens + outputTokens;
    }

    /** The metrics to their units, as the gate and {@code usage.recorded} name them; empty for {@link #NONE}. */
    public Map<String, Long> quantities() {
        if (this == NONE) { // embeddings of zero tokens are still counted as embeddings
            return Map.of();
        }
        Map<String, Long> used = new LinkedHashMap<>();
        if (generations > 0) {
            used.put(UsageRecorded.GENERATIONS, generations);
        }
        used.put(UsageRecorded.INPUT_TOKENS, inputTokens);
        if (generations > 0) {
            used.put(UsageRecorded.OUTPUT_TOKENS, outputTokens);
        }
        used.put(UsageRecorded.COST_MICROS, costMicros);
        if (cachedInputTokens > 0) {
            used.put(UsageRecorded.CACHED_INPUT_TOKENS, cachedInputTokens);
        }
        return Map.copyOf(used);
    }
}
