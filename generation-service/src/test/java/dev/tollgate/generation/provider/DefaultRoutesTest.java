package dev.tollgate.generation.provider;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.generation.config.GenerationConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The routes the shipped configuration gives, by the keys in the environment: Claude first when Anthropic's key is
 * set (small on Haiku, large on Sonnet), OpenAI behind it or alone, the offline model without either.
 */
class DefaultRoutesTest {

    @ParameterizedTest(name = "ANTHROPIC_API_KEY={0} OPENAI_API_KEY={1}: small -> {2}, large -> {3}")
    @CsvSource(delimiter = '|', textBlock = """
            ''     | ''     | offline                  | offline
            sk-ant | ''     | claude-haiku             | claude-sonnet
            ''     | sk-oai | openai                   | openai
            sk-ant | sk-oai | claude-haiku, openai     | claude-sonnet, openai
            """)
    void theEnvironmentsKeysChooseTheProviders(String anthropic, String openai, String small, String large)
            throws IOException {
        SmallRyeConfig config = new SmallRyeConfigBuilder()
                .addDefaultInterceptors() // ${ANTHROPIC_API_KEY:} expanded
                .withSources(new PropertiesConfigSource(getClass().getResource("/application.properties"), 100))
                .withSources(new PropertiesConfigSource(Map.of("ANTHROPIC_API_KEY", anthropic, "OPENAI_API_KEY",
                        openai, "tollgate.tokens.issuer", "http://127.0.0.1/issuer"), "environment", 300))
                .withConverter(Duration.class, 100, new DurationConverter()) // "30s", as Quarkus reads it
                .withMapping(GenerationConfig.class)
                .build();
        Vertx vertx = Vertx.vertx();
        try {
            ProviderRoutes routes = new ProviderRoutes(config.getConfigMapping(GenerationConfig.class),
                    new SimpleMeterRegistry(), vertx);
            assertEquals(small, routes.describe().get("small"));
            assertEquals(large, routes.describe().get("large"));
            assertEquals(openai.isEmpty() ? "offline" : "openai-embeddings",
                    String.join(", ", routes.embeddingRoute("text-embedding-3-small").orElseThrow().stream()
                            .map(ChatProvider::name).toList()));
        } finally {
            vertx.close();
        }
    }
}
