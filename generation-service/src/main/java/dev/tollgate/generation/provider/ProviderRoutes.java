package dev.tollgate.generation.provider;

import dev.tollgate.generation.config.GenerationConfig;
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
 * The models clients may ask for and the providers behind each, in fallback order. Providers without a key are
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

    /** Each route and its providers, e.g. {@code small -> "groq, openai"}. */
    public Map<String, String> describe() {
        Map<String, String> result = new TreeMap<>();
        routes().forEach((model, chain) -> result.put(model,
                String.join(", ", chain.stream().map(ChatProvider::name).toList())));
        return result;
    }

    private Map<String, List<ChatProvider>> routes() {
        Map<String, List<ChatProvider>> built = routes;
        if (built == null) {
            synchronized (this) {
                if (routes == null) {
                    routes = build();
                }
                built = routes;
            }
        }
        return built;
    }

    private Map<String, List<ChatProvider>> build() {
        Map<String, ChatProvider> providers = new LinkedHashMap<>();
        config.providers().forEach((name, provider) -> {
            if (provider.apiKey().filter(key -> !key.isBlank()).isPresent()) {
                providers.put(name, new OpenAiCompatibleProvider(name, provider, http,
                        registry.counter("tollgate.provider.streams.cancelled", "provider", name)));
            } else {
                LOG.infof("providers: %s has no API key and is switched off", name);
            }
        });
        OfflineProvider offline = new OfflineProvider();
        Map<String, List<ChatProvider>> result = new LinkedHashMap<>();
        config.routes().forEach((model, names) -> {
            List<ChatProvider> chain = new ArrayList<>();
            for (String name : names) {
                ChatProvider provider = providers.get(name.trim());
                if (provider != null) {
                    chain.add(provider);
                } else if (!config.providers().containsKey(name.trim()) && !OfflineProvider.NAME.equals(name.trim())) {
                    LOG.warnf("providers: route %s names %s, which is not configured", model, name);
                }
            }
            if (chain.isEmpty()) {
                chain.add(offline);
                LOG.warnf("providers: no provider of route %s is switched on; the offline model answers it", model);
            }
            result.put(model, List.copyOf(chain));
            LOG.infof("providers: route %s -> %s", model, chain.stream().map(ChatProvider::name).toList());
        });
        return Map.copyOf(result);
    }
}
