package dev.tollgate.generation;

import com.openai.client.OpenAIClient;
import com.openai.client.okhttp.OpenAIOkHttpClient;
import dev.tollgate.testing.TestIssuer;
import java.net.URL;
import java.util.UUID;

/** OpenAI's own Java SDK pointed at the gateway, as an application would use it. */
public final class OpenAiClients {

    private OpenAiClients() {
    }

    /** A new member of {@code tenant}, with an access token as the SDK's API key; no retries of its own. */
    public static OpenAIClient member(URL gateway, UUID tenant) {
        return withKey(gateway, TestIssuer.shared().sign(TestIssuer.claims(UUID.randomUUID(), tenant, "member")));
    }

    /** The SDK with {@code key} as its API key. */
    public static OpenAIClient withKey(URL gateway, String key) {
        return OpenAIOkHttpClient.builder().baseUrl(gateway.toString()).apiKey(key).maxRetries(0).build();
    }
}
