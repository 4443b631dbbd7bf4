package dev.tollgate.generation;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.Map;

/**
 * OpenAI-compatible providers at the wire level (WireMock on a loopback port): {@code primary} behind the route
 * {@code small}, and {@code primary} then {@code secondary} (under {@code /secondary/v1}) behind {@code large}.
 * Tests stub their answers per request.
 */
public class FakeOpenAi implements QuarkusTestResourceLifecycleManager {

    public static final String KEY = "test-provider-key";
    public static final String MODEL = "gpt-4o-mini";
    public static final String SECONDARY_MODEL = "llama-3.1-8b-instant";
    private static WireMockServer server;

    public static synchronized WireMockServer server() {
        if (server == null) {
            server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1"));
            server.start();
        }
        return server;
    }

    @Override
    public Map<String, String> start() {
        String baseUrl = "http://127.0.0.1:" + server().port() + "/v1";
        String secondaryUrl = "http://127.0.0.1:" + server().port() + "/secondary/v1";
        return Map.of("tollgate.generation.providers.primary.base-url", baseUrl,
                "tollgate.generation.providers.primary.api-key", KEY,
                "tollgate.generation.providers.primary.model", MODEL,
                "tollgate.generation.providers.primary.timeout", "2s",
                "tollgate.generation.providers.secondary.base-url", secondaryUrl,
                "tollgate.generation.providers.secondary.api-key", KEY,
                "tollgate.generation.providers.secondary.model", SECONDARY_MODEL,
                "tollgate.generation.routes.small", "primary",
                "tollgate.generation.routes.large", "primary,secondary");
    }

    @Override
    public void stop() {
        // the server lives as long as the test JVM, shared by every test class
    }

    /** A chat completion as OpenAI answers it. */
    public static String completion(String content, long promptTokens, long completionTokens) {
        return completion(MODEL, content, promptTokens, completionTokens);
    }

    public static String completion(String model, String content, long promptTokens, long completionTokens) {
        return """
                {"id":"chatcmpl-fake","object":"chat.completion","created":1764000000,"model":"%s",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}"""
                .formatted(model, content, promptTokens, completionTokens, promptTokens + completionTokens);
    }
}
