package dev.tollgate.generation.provider;

import dev.tollgate.generation.config.GenerationConfig;
import dev.tollgate.generation.provider.anthropic.AnthropicProvider;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.PoolOptions;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.jboss.logging.Logger;

/**
 * The models clients may ask for and the providers behind each, in fallback order: OpenAI-compatible ones and
 * Anthropic's (translated), mixed as the routes name them. Providers without a key are
 * left out; a route left with none is served by the built-in offline model. Built on first use. Every provider
 * shares one HTTP client (a connection pool per host).
 */
@ApplicationScoped
public class ProviderRoutes {

    private static final Logger LOG = Logger.getLogger(ProviderRoutes.class);

    private final GenerationConfig config;
    private final MeterRegistry registry;
    /** The most connections to one provider's host: above any provider's max-concurrent-calls. */
    private static final int MOST_CONNECTIONS = 1000;

    private final HttpClient http;
    private volatile Map<String, List<ChatProvider>> routes;
    private volatile Map<String, List<ChatProvider>> embeddingRoutes;

    public ProviderRoutes(GenerationConfig config, MeterRegistry registry, Vertx vertx) {
        this.config = config;
        this.registry = registry;
        this.http = vertx.createHttpClient(new HttpClientOptions().setConnectTimeout(5000).setKeepAlive(true)
                .setVerifyHost(true), new PoolOptions().setHttp1MaxSize(MOST_CONNECTIONS));
    }

    @PreDestroy
    void close() {
        http.close();
    }

    /** The providers of {@code model}'s route, first choice first; empty for a model that is not offered. */
    public Optional<List<ChatProvider>> route(String model) {
        return Optional.ofNullable(routes().get(model));
    }

    /** The models offered, by name. */
    public List<String> models() {
        return new ArrayList<>(new TreeMap<>(routes()).keySet());
    }

    /** The providers of embedding model {@code model}'s route, first choice first; empty when it is not offered. */
    public Optional<List<ChatProvider>> embeddingRoute(String model) {
        built();
        return Optional.ofNullable(embeddingRoutes.get(model));
    }

    /** The embedding models offered, by name. */
    public List<String> embeddingModels() {
        built();
        return new ArrayList<>(new TreeMap<>(embeddingRoutes).keySet());
    }

    /** Each route and its providers, e.g. {@code small -> "groq, openai"}. */
    public Map<String, String> describe() {
        Map<String, String> result = new TreeMap<>();
        routes().forEach((model, chain) -> result.put(model,
                String.join(", ", chain.stream().map(ChatProvider::name).toList())));
        return result;
    }

    private Map<String, List<ChatProvider>> routes() {
        built();
        return routes;
    }

    private void built() {
        if (routes == null) {
            synchronized (this) {
                if (routes == null) {
                    Map<String, ChatProvider> providers = providers();
                    embeddingRoutes = build("embedding route", config.embeddingRoutes(), providers);
                    routes = build("route", config.routes(), providers);
                }
            }
        }
    }

    private Map<String, ChatProvider> providers() {
        Map<String, ChatProvider> providers = new LinkedHashMap<>();
        config.providers().forEach((name, provider) -> {
            if (provider.apiKey().filter(key -> !key.isBlank()).isPresent()) {
                Counter cancellations = registry.counter("tollgate.provider.streams.cancelled", "provider", name);
                Counter usageMissing = registry.counter("tollgate.provider.usage.missing", "provider", name);
                providers.put(name, switch (provider.api()) {
                    case OPENAI -> new OpenAiCompatibleProvider(name, provider, http, cancellations, usageMissing);
                    case ANTHROPIC -> new AnthropicProvider(name, provider, http, cancellations, usageMissing);
                });
            } else {
                LOG.infof("providers: %s has no API key and is switched off", name);
            }
        });
        return providers;
    }

    private Map<String, List<ChatProvider>> build(String kind, Map<String, List<String>> configured,
            Map<String, ChatProvider> providers) {
        boolean embeddings = kind.startsWith("embedding");
        OfflineProvider offline = new OfflineProvider();
        Map<String, List<ChatProvider>> result = new LinkedHashMap<>();
        configured.forEach((model, names) -> {
            List<ChatProvider> chain = new ArrayList<>();
            for (String name : names) {
                ChatProvider provider = providers.get(name.trim());
                if (provider != null && embeddings && !provider.embeds()) {
                    LOG.warnf("providers: %s %s names %s, which serves no embeddings; left out", kind, model, name);
                } else if (provider != null) {
                    chain.add(provider);
                } else if (!config.providers().containsKey(name.trim()) && !OfflineProvider.NAME.equals(name.trim())) {
                    LOG.warnf("providers: %s %s names %s, which is not configured", kind, model, name);
                }
            }
            if (chain.isEmpty()) {
                chain.add(offline);
                LOG.warnf("providers: no provider of %s %s is switched on; the offline model answers it", kind, model);
            }
            result.put(model, List.copyOf(chain));
            LOG.infof("providers: %s %s -> %s", kind, model, chain.stream().map(ChatProvider::name).toList());
        });
        return Map.copyOf(result);
    }
}
