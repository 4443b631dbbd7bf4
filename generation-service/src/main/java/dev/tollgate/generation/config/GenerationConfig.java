package dev.tollgate.generation.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The AI gateway's providers and routes. */
@ConfigMapping(prefix = "tollgate.generation")
public interface GenerationConfig {

    /**
     * OpenAI-compatible providers by name, e.g. {@code tollgate.generation.providers.groq.base-url}. A provider
     * without an API key is switched off.
     */
    Map<String, Provider> providers();

    /**
     * The models clients ask for (e.g. {@code small}, {@code large}) and the providers that serve each, in order:
     * the first answers, the next ones are the fallback chain. When none of a route's providers is switched on,
     * the built-in offline model answers, and says so.
     */
    Map<String, List<String>> routes();

    /** Output tokens held for a request that names no {@code max_tokens}. */
    @WithDefault("1024")
    @Positive
    int defaultMaxTokens();

    interface Provider {
        /** Its OpenAI-compatible API root, ending in {@code /v1}. */
        String baseUrl();

        /** Its key; blank or absent switches the provider off. */
        Optional<String> apiKey();

        /** The provider's own name for the model it serves on the route. */
        String model();

        /** How long one call may take (whole seconds). */
        @WithDefault("30s")
        Duration timeout();
    }
}
