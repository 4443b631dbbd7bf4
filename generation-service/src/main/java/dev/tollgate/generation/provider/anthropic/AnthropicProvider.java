package dev.tollgate.generation.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.generation.config.GenerationConfig;
import dev.tollgate.generation.provider.ChatCall;
import dev.tollgate.generation.provider.ChatChunk;
import dev.tollgate.generation.provider.ChatProvider;
import dev.tollgate.generation.provider.Completion;
import dev.tollgate.generation.provider.ProviderHttp;
import dev.tollgate.generation.provider.Tokens;
import io.micrometer.core.instrument.Counter;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpClient;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Anthropic's Messages API ({@code POST <base-url>/messages}), behind the same OpenAI surface as every provider:
 * the caller's OpenAI request is translated ({@link MessagesRequest}: a field it cannot honour is refused by name,
 * never dropped), and the answer, whole or streamed, comes back in OpenAI's format ({@link MessagesAnswer},
 * {@link MessagesStream}) with Anthropic's own usage (cache reads and writes included). Its 429 and 529 are retried
 * after the pause its {@code retry-after} names, and fall back like any provider's failures. It serves no
 * embeddings.
 */
public final class AnthropicProvider implements ChatProvider {

    /** The Messages API version spoken. */
    static final String VERSION = "2023-06-01";
    private static final Logger LOG = Logger.getLogger(AnthropicProvider.class);

    private final String name;
    private final String modelName;
    private final ProviderHttp http;
    private final String url;
    private final Counter usageMissing;

    public AnthropicProvider(String name, GenerationConfig.Provider config, HttpClient http, Counter cancellations,
            Counter usageMissing) {
        this.name = name;
        this.modelName = config.model();
        this.http = new ProviderHttp(name, http, Map.of("x-api-key", config.apiKey().orElseThrow(),
                "anthropic-version", VERSION), config.timeout(),
                (status, headers, body) -> ProviderHttp.failure(MessagesAnswer.ownAccount(status, body), headers,
                        MessagesAnswer.openAiError(body)),
                cancellations);
        this.url = config.baseUrl().replaceAll("/+$", "") + "/messages";
        this.usageMissing = usageMissing;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public String model() {
        return modelName;
    }

    @Override
    public Uni<Completion> complete(ChatCall call) {
        return Uni.createFrom().deferred(() -> http.post(url, MessagesRequest.of(call, modelName, false)))
                .map(body -> completion(call, http.parsed(body)));
    }

    @Override
    public Multi<ChatChunk> stream(ChatCall call) {
        return Multi.createFrom().deferred(() -> http.stream(url, MessagesRequest.of(call, modelName, true),
                new MessagesStream(name, modelName, call, this::missingUsage)));
    }

    /** Anthropic offers no embeddings: an embedding route that names this provider leaves it out. */
    @Override
    public Uni<Completion> embed(ObjectNode document) {
        return Uni.createFrom().failure(new UnsupportedOperationException(name + " serves no embeddings"));
    }

    @Override
    public boolean embeds() {
        return false;
    }

    private Completion completion(ChatCall call, JsonNode message) {
        ObjectNode answer = MessagesAnswer.completion(message, name);
        JsonNode usage = answer.path("usage");
        JsonNode choice = answer.path("choices").path(0);
        String content = choice.path("message").path("content").asText("");
        boolean counted = message.path("usage").has("input_tokens") && message.path("usage").has("output_tokens");
        if (!counted) {
            missingUsage();
        }
        long input = counted ? usage.get("prompt_tokens").asLong() : Tokens.count(call);
        long output = counted ? usage.get("completion_tokens").asLong()
                : Tokens.count(content + choice.path("message").path("tool_calls"));
        return new Completion(name, answer.path("model").asText(modelName), content,
                choice.path("finish_reason").asText("stop"), input, output, answer,
                counted ? usage : null);
    }

    /** An answer without Anthropic's counts is billed on estimates: an operator should know. */
    private void missingUsage() {
        usageMissing.increment();
        LOG.warnf("providers: %s sent no usage; the answer is billed on estimated tokens", name);
    }
}
