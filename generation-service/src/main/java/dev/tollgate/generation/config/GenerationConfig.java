package dev.tollgate.generation.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.Positive;
import jakarta.validation.constraints.PositiveOrZero;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The AI gateway's providers and routes. */
@ConfigMapping(prefix = "tollgate.generation")
public interface GenerationConfig {

    /**
     * Providers by name, e.g. {@code tollgate.generation.providers.groq.base-url}: OpenAI-compatible ones, and
     * Anthropic's ({@code api=anthropic}). A provider without an API key is switched off.
     */
    Map<String, Provider> providers();

    /**
     * The models clients ask for (e.g. {@code small}, {@code large}) and the providers that serve each, in order:
     * the first answers, the next ones are the fallback chain. When none of a route's providers is switched on,
     * the built-in offline model answers, and says so.
     */
    Map<String, List<String>> routes();

    /**
     * The embedding models clients ask for ({@code POST /v1/embeddings}, e.g. {@code text-embedding-3-small}) and
     * the providers that serve each, in order, as {@link #routes()} for chat: each provider's {@code model} is its
     * embedding model and its {@code input-price-per-million} the price. A route without a provider switched on is
     * served by the offline model's stand-in vectors.
     */
    Map<String, List<String>> embeddingRoutes();

    /**
     * Request fields refused on {@code /v1/chat/completions} (400 naming the field) because the provider prices what
     * they ask for apart from tokens: audio in or out, predicted outputs, web search. Every other field is passed on.
     */
    @WithDefault("audio,modalities,prediction,web_search_options")
    List<String> refusedFields();

    /** Output tokens held for a request that names no {@code max_tokens}. */
    @WithDefault("1024")
    @Positive
    int defaultMaxTokens();

    /**
     * The longest a streamed answer may run: then it ends with its error event and what was sent is billed. Its
     * reservation is kept held that long ({@code tollgate.gate.longest-hold} must be longer).
     */
    @WithDefault("10m")
    Duration maxStreamDuration();

    /** How each provider is called: retries, timeouts, circuit breaker. */
    Resilience resilience();

    /** Prompt templates with structured output ({@code POST /generations}). */
    Templates templates();

    /** API keys presented as bearer credentials, verified at auth-service. */
    ApiKeys apiKeys();

    interface ApiKeys {
        /** auth-service's base URL (its issuer URL). */
        @WithDefault("${tollgate.tokens.issuer}")
        String authUrl();

        /** How long a verified key is trusted without asking again (never past the key's own end). */
        @WithDefault("5m")
        Duration cacheTtl();

        /** How long an unknown key is refused without asking again. */
        @WithDefault("30s")
        Duration refusalTtl();

        /** How long auth-service may take to answer. */
        @WithDefault("3s")
        Duration timeout();

        /** The most verified keys kept in memory (when full, those used more often are kept). */
        @WithDefault("100000")
        @Positive
        int maxEntries();

        /**
         * The most refused keys kept in memory, apart from the verified ones: a flood of unknown keys competes only
         * with other refusals, never with a verified key.
         */
        @WithDefault("10000")
        @Positive
        int maxRefusals();

        /**
         * The most distinct unknown keys one client (its address, {@code tollgate.security.trusted-proxies}; an
         * IPv6 one by its /64) may present in {@code unknown-window}, counted across the replicas in Redis: past it,
         * keys from that client that this replica has not verified are refused with 429 until the window ends,
         * without a question to auth-service. Also the most questions one client may have under way at once.
         */
        @WithDefault("20")
        @Positive
        int unknownPerClient();

        /** The window of {@code unknown-per-client}. */
        @WithDefault("1m")
        Duration unknownWindow();

        /** The most clients held back at once for presenting unknown keys, in this replica's memory. */
        @WithDefault("10000")
        @Positive
        int maxHeldBack();
    }

    interface Templates {
        /** The templates shipped with the service, from {@code templates/<name>.json} on the class path. */
        @WithDefault("meal-plan,workout-plan,code-review,analysis")
        List<String> builtIn();

        /** A directory of more {@code *.json} templates; one named like a built-in replaces it. */
        Optional<java.nio.file.Path> dir();

        /**
         * How long a run may go unfinished before another replica takes it over (after a crash); longer than
         * the slowest route with its retries.
         */
        @WithDefault("5m")
        Duration lease();

        /** How often unfinished runs left by a crashed replica are looked for. */
        @WithDefault("30s")
        Duration resumeEvery();
    }

    interface Resilience {
        /** Retries of one provider after a retryable failure (429, 5xx, timeout, connection), before the next. */
        @WithDefault("2")
        @PositiveOrZero
        int maxRetries();

        /** The first retry's delay; each next one doubles, with up to half of it as random jitter. */
        @WithDefault("200ms")
        Duration retryDelay();

        /** The longest delay between two retries. */
        @WithDefault("5s")
        Duration maxRetryDelay();

        /** The most one provider may take, retries included, before the route moves on. */
        @WithDefault("60s")
        Duration overallTimeout();

        /** Calls in the breaker's rolling window. */
        @WithDefault("10")
        @Positive
        int breakerRequestVolume();

        /** The share of failed calls in the window that opens the breaker. */
        @WithDefault("0.5")
        double breakerFailureRatio();

        /** How long an open breaker refuses calls before letting one through (half-open). */
        @WithDefault("30s")
        Duration breakerDelay();

        /**
         * The most calls one provider runs at once (its bulkhead): past it and {@code waiting-calls}, a call fails
         * fast and the route moves on, instead of queueing until it times out while the calls ahead still run.
         */
        @WithDefault("100")
        @Positive
        int maxConcurrentCalls();

        /** Calls that wait for one of a provider's {@code max-concurrent-calls}; past them, a call fails fast. */
        @WithDefault("20")
        @Positive
        int waitingCalls();
    }

    interface Provider {
        /**
         * The API it speaks: {@code openai} (OpenAI's chat completions, as every OpenAI-compatible server speaks
         * them: the request and the answer pass through) or {@code anthropic} (Anthropic's Messages API, translated
         * from and to OpenAI's format).
         */
        @WithDefault("openai")
        Api api();

        /** Its API root, ending in {@code /v1} ({@code https://api.anthropic.com/v1} for Anthropic's). */
        String baseUrl();

        /** Its key; blank or absent switches the provider off. */
        Optional<String> apiKey();

        /** The provider's own name for the model it serves on the route. */
        String model();

        /**
         * The request field that carries the token limit to this provider: {@code max_tokens} (understood by every
         * OpenAI-compatible server) or {@code max_completion_tokens} (which OpenAI's reasoning models require). The
         * gateway writes the limit it held there, whichever field the caller used, and removes the other.
         */
        @WithDefault("max_tokens")
        String maxTokensField();

        /** How long one call may take (whole seconds). */
        @WithDefault("30s")
        Duration timeout();

        /** This provider's breaker window, instead of {@code resilience.breaker-request-volume}. */
        Optional<@Positive Integer> breakerRequestVolume();

        /** The most calls this provider runs at once, instead of {@code resilience.max-concurrent-calls}. */
        Optional<@Positive Integer> maxConcurrentCalls();

        /** Calls that may wait for this provider, instead of {@code resilience.waiting-calls}. */
        Optional<@Positive Integer> waitingCalls();

        /** What the provider charges per million input tokens, in US dollars; counted as {@code cost_micros}. */
        @WithDefault("0")
        @PositiveOrZero
        double inputPricePerMillion();

        /** What the provider charges per million output tokens, in US dollars. */
        @WithDefault("0")
        @PositiveOrZero
        double outputPricePerMillion();

        /**
         * What the provider charges per million cached input tokens (the part of the prompt it reports as
         * {@code prompt_tokens_details.cached_tokens}), in US dollars; unset, a tenth of the input price for
         * Anthropic's API (as it charges cache reads) and the input price for others.
         */
        Optional<@PositiveOrZero Double> cachedInputPricePerMillion();

        /**
         * What the provider charges per million input tokens written to its prompt cache (Anthropic's
         * {@code cache_creation_input_tokens}), in US dollars; unset, 1.25 times the input price for Anthropic's
         * API (its five-minute cache) and the input price for others.
         */
        Optional<@PositiveOrZero Double> cacheWritePricePerMillion();

        /**
         * The cost of {@code input} tokens, {@code cached} of them read from the provider's cache and {@code written}
         * of them written to it, and {@code output} tokens, in millionths of a US dollar.
         */
        default long costMicros(long input, long cached, long written, long output) {
            double cachedPrice = cachedInputPricePerMillion()
                    .orElse(api() == Api.ANTHROPIC ? 0.1 * inputPricePerMillion() : inputPricePerMillion());
            double writePrice = cacheWritePrice();
            long read = Math.min(cached, input);
            long wrote = Math.min(written, input - read);
            long fresh = input - read - wrote;
            return Math.round(fresh * inputPricePerMillion() + read * cachedPrice + wrote * writePrice
                    + output * outputPricePerMillion());
        }

        /**
         * The most {@code input} and {@code output} tokens may cost, in millionths of a US dollar: every input token
         * at the dearer of the input and cache-write prices (what the gate holds before the answer says which).
         */
        default long costMicros(long input, long output) {
            double inputPrice = Math.max(inputPricePerMillion(), cacheWritePrice());
            return Math.round(input * inputPrice + output * outputPricePerMillion());
        }

        /** The price per million input tokens written to the cache, as {@link #cacheWritePricePerMillion()} says. */
        default double cacheWritePrice() {
            return cacheWritePricePerMillion()
                    .orElse(api() == Api.ANTHROPIC ? 1.25 * inputPricePerMillion() : inputPricePerMillion());
        }
    }

    /** The APIs a provider may speak. */
    enum Api {
        OPENAI,
        ANTHROPIC
    }
}
