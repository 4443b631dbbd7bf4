package dev.tollgate.generation;

import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.github.tomakehurst.wiremock.WireMockServer;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * OpenAI-compatible providers at the wire level (WireMock on a loopback port): {@code primary} behind the route
 * {@code small}, {@code primary} then {@code secondary} (under {@code /secondary/v1}) behind {@code large}, and
 * {@code flaky} (under {@code /flaky/v1}) alone behind {@code flaky}. Each call may take 1 s.
 * Tests stub their answers per request. {@code choppy}, behind the route of the same name, is not WireMock but
 * {@link ChoppyProvider}: it streams part of an answer and drops the connection.
 */
public class FakeOpenAi implements QuarkusTestResourceLifecycleManager {

    public static final String KEY = "test-provider-key";
    public static final String MODEL = "gpt-4o-mini";
    public static final String SECONDARY_MODEL = "llama-3.1-8b-instant";
    public static final String EMBEDDING_MODEL = "text-embedding-3-small";
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
        String root = "http://127.0.0.1:" + server().port();
        Map<String, String> config = new HashMap<>();
        provider(config, "primary", root + "/v1", MODEL);
        provider(config, "secondary", root + "/secondary/v1", SECONDARY_MODEL);
        provider(config, "flaky", root + "/flaky/v1", MODEL);
        // primary's prices per million tokens: input 1,000 $, cached input 250 $, output 4,000 $ (easy sums)
        config.put("tollgate.generation.providers.primary.input-price-per-million", "1000");
        config.put("tollgate.generation.providers.primary.cached-input-price-per-million", "250");
        config.put("tollgate.generation.providers.primary.output-price-per-million", "4000");
        // the providers that tests fail on purpose keep their breakers closed; flaky's opens after 4 calls
        config.put("tollgate.generation.providers.primary.breaker-request-volume", "1000");
        config.put("tollgate.generation.providers.secondary.breaker-request-volume", "1000");
        config.put("tollgate.generation.routes.small", "primary");
        config.put("tollgate.generation.routes.large", "primary,secondary");
        config.put("tollgate.generation.routes.flaky", "flaky");
        // a provider that runs one call at a time, with one waiting; its route falls back to secondary
        provider(config, "narrow", root + "/narrow/v1", MODEL);
        config.put("tollgate.generation.providers.narrow.max-concurrent-calls", "1");
        config.put("tollgate.generation.providers.narrow.waiting-calls", "1");
        config.put("tollgate.generation.providers.narrow.timeout", "10s");
        config.put("tollgate.generation.routes.narrow", "narrow,secondary");
        // embeddings: text-embedding-3-small served by embedder (on WireMock's /v1/embeddings), and a route offline
        provider(config, "embedder", root + "/v1", EMBEDDING_MODEL);
        config.put("tollgate.generation.providers.embedder.input-price-per-million", "1000");
        config.put("tollgate.generation.embedding-routes.text-embedding-3-small", "embedder");
        config.put("tollgate.generation.embedding-routes.offline-embeddings", "offline");
        provider(config, "choppy", "http://127.0.0.1:" + ChoppyProvider.port() + "/v1", MODEL);
        config.put("tollgate.generation.providers.choppy.breaker-request-volume", "2");
        config.put("tollgate.generation.routes.choppy", "choppy");
        return config;
    }

    private static void provider(Map<String, String> config, String name, String baseUrl, String model) {
        config.put("tollgate.generation.providers." + name + ".base-url", baseUrl);
        config.put("tollgate.generation.providers." + name + ".api-key", KEY);
        config.put("tollgate.generation.providers." + name + ".model", model);
        config.put("tollgate.generation.providers." + name + ".timeout", "1s");
    }

    @Override
    public void stop() {
        // the server lives as long as the test JVM, shared by every test class
    }

    /** A chat completion whose content is any text (JSON, quotes, new lines), escaped as it must be. */
    public static String completionOf(String content, long promptTokens, long completionTokens) {
        try {
            return completion(MODEL, "%CONTENT%", promptTokens, completionTokens)
                    .replace("\"%CONTENT%\"", new com.fasterxml.jackson.databind.ObjectMapper().writeValueAsString(content));
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A chat completion as OpenAI answers it. */
    public static String completion(String content, long promptTokens, long completionTokens) {
        return completion(MODEL, content, promptTokens, completionTokens);
    }

    /**
     * A streamed answer as OpenAI sends it: a role chunk, one chunk per piece, then (unless {@code finishReason}
     * is null, a stream that stops short) the finish, the usage and {@code [DONE]}.
     */
    public static String stream(String finishReason, long promptTokens, long completionTokens, String... pieces) {
        StringBuilder body = new StringBuilder(chunk("{\"role\":\"assistant\",\"content\":\"\"}", null));
        for (String piece : pieces) {
            body.append(chunk("{\"content\":\"" + piece + "\"}", null));
        }
        if (finishReason != null) {
            body.append(chunk("{}", finishReason));
            body.append("data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1764000000,"
                    + "\"model\":\"" + MODEL + "\",\"choices\":[],\"usage\":{\"prompt_tokens\":" + promptTokens
                    + ",\"completion_tokens\":" + completionTokens + ",\"total_tokens\":"
                    + (promptTokens + completionTokens) + "}}\n\n");
            body.append("data: [DONE]\n\n");
        }
        return body.toString();
    }

    static String chunk(String delta, String finishReason) {
        return "data: {\"id\":\"chatcmpl-fake\",\"object\":\"chat.completion.chunk\",\"created\":1764000000,\"model\":\""
                + MODEL + "\",\"choices\":[{\"index\":0,\"delta\":" + delta + ",\"finish_reason\":"
                + (finishReason == null ? "null" : "\"" + finishReason + "\"") + "}]}\n\n";
    }

    public static String completion(String model, String content, long promptTokens, long completionTokens) {
        return """
                {"id":"chatcmpl-fake","object":"chat.completion","created":1764000000,"model":"%s",
                 "choices":[{"index":0,"message":{"role":"assistant","content":"%s"},"finish_reason":"stop"}],
                 "usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}"""
                .formatted(model, content, promptTokens, completionTokens, promptTokens + completionTokens);
    }
}
