package dev.tollgate.generation.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.generation.config.GenerationConfig;
import io.micrometer.core.instrument.Counter;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import java.util.Map;

/**
 * An OpenAI-compatible provider (OpenAI, Groq, Together, Mistral, vLLM, Ollama, ...), spoken to as JSON: the
 * caller's request goes on field for field (tools, tool_choice, response_format, content parts, stop, seed, n,
 * logprobs, user, metadata, reasoning_effort, and whatever OpenAI adds), with only what the gateway owns set here:
 * the provider's {@code model}, the token limit the gate held (in the field the caller used, {@code max_tokens} when
 * it named none) and, for a stream, {@code stream_options.include_usage}. The answer, and each chunk of a stream,
 * comes back as the provider wrote it; the gateway reads only what it meters (model, finish reason, usage). One
 * attempt per call: retries and fallback are the gateway's ({@link ProviderGuards}).
 */
public final class OpenAiCompatibleProvider implements ChatProvider {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final org.jboss.logging.Logger LOG = org.jboss.logging.Logger.getLogger(OpenAiCompatibleProvider.class);

    private final String name;
    private final String modelName;
    private final ProviderHttp http;
    private final String url;
    private final String embeddingsUrl;
    private final String maxTokensField;
    private final Counter usageMissing;

    public OpenAiCompatibleProvider(String name, GenerationConfig.Provider config, HttpClient http,
            Counter cancellations, Counter usageMissing) {
        this.name = name;
        this.modelName = config.model();
        this.http = new ProviderHttp(name, http, Map.of("Authorization", "Bearer " + config.apiKey().orElseThrow()),
                config.timeout(), ProviderHttp::failure, cancellations);
        this.url = config.baseUrl().replaceAll("/+$", "") + "/chat/completions";
        this.embeddingsUrl = config.baseUrl().replaceAll("/+$", "") + "/embeddings";
        this.maxTokensField = config.maxTokensField();
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
        return http.post(url, document(call, false)).map(answer -> completion(call, answer));
    }

    /** The caller's embeddings request with the provider's model; the provider's answer as it wrote it. */
    @Override
    public Uni<Completion> embed(ObjectNode document) {
        ObjectNode body = document.deepCopy();
        body.put("model", modelName);
        return http.post(embeddingsUrl, body).map(answer -> embeddings(document, answer));
    }

    /**
     * The answer chunk by chunk. A subscriber that cancels (the stream cut at its longest duration, a timeout)
     * resets the provider's request, so that it is not read, and paid, to its end.
     */
    @Override
    public Multi<ChatChunk> stream(ChatCall call) {
        return Multi.createFrom().deferred(() -> http.stream(url, document(call, true), new StreamedAnswer(call)));
    }

    /** What a stream has said so far: the first choice's text, why it finished, the model, the usage. */
    private final class StreamedAnswer implements ProviderHttp.Events {

        private final ChatCall call;
        private final StringBuilder content = new StringBuilder();
        private final StringBuilder generated = new StringBuilder();
        private String model;
        private String finishReason;
        private JsonNode usage;

        StreamedAnswer(ChatCall call) {
            this.call = call;
        }

        @Override
        public ChatChunk read(String data) throws java.io.IOException {
            return data.equals("[DONE]") ? closed() : read(JSON.readTree(data));
        }

        /** The stream's end: the answer, when a finish reason came. */
        @Override
        public ChatChunk.Done closed() {
            if (finishReason == null) {
                throw new StreamInterrupted("the provider ended the stream without a finish reason", null);
            }
            return new ChatChunk.Done(completion());
        }

        /** The piece {@code chunk} carries, or null for one that carries only the usage. */
        private ChatChunk.Text read(JsonNode chunk) {
            if (!chunk.isObject()) {
                throw new MalformedAnswer("a chunk of " + name + "'s stream is not a JSON object");
            }
            if (chunk.hasNonNull("error")) {
                ProviderError said = ProviderError.from(chunk.get("error"));
                throw new StreamInterrupted("the provider reported an error in its stream: " + said.message(), null);
            }
            if (chunk.hasNonNull("model")) {
                model = chunk.get("model").asText();
            }
            if (chunk.hasNonNull("usage")) {
                usage = chunk.get("usage");
            }
            JsonNode choices = chunk.path("choices");
            if (!choices.isArray() || choices.isEmpty()) {
                return null;
            }
            StringBuilder text = new StringBuilder();
            for (JsonNode choice : choices) {
                JsonNode delta = choice.path("delta");
                String piece = textOf(delta);
                text.append(piece);
                if (choice.path("index").asInt(0) == 0) {
                    if (delta.hasNonNull("content")) {
                        content.append(delta.get("content").asText());
                    }
                    if (choice.hasNonNull("finish_reason")) {
                        finishReason = choice.get("finish_reason").asText();
                    }
                }
            }
            generated.append(text);
            ObjectNode passed = (ObjectNode) chunk; // parsed for this line alone: passed on without a copy
            passed.remove("usage"); // the usage is the gateway's to send, when the caller asked for it
            return new ChatChunk.Text(text.toString(), passed);
        }

        Completion completion() {
            if (usage == null) {
                missingUsage();
            }
            long input = usage != null && usage.hasNonNull("prompt_tokens") ? usage.get("prompt_tokens").asLong()
                    : Tokens.count(call);
            long output = usage != null && usage.hasNonNull("completion_tokens")
                    ? usage.get("completion_tokens").asLong()
                    : Tokens.count(generated.toString());
            return new Completion(name, model == null ? modelName : model, content.toString(), finishReason, input,
                    output, null, usage);
        }
    }

    /** The request as the provider receives it: the caller's document, with what the gateway owns set. */
    ObjectNode document(ChatCall call, boolean stream) {
        ObjectNode body = call.document() != null ? call.document().deepCopy() : composed(call);
        body.put("model", modelName);
        // the limit the gate held, in the field this provider reads
        body.remove("max_completion_tokens");
        body.remove("max_tokens");
        body.put(maxTokensField, call.maxTokens());
        if (call.choices() > 1) {
            body.put("n", call.choices());
        }
        JsonNode options = body.remove("stream_options");
        body.remove("stream");
        if (stream) {
            body.put("stream", true);
            ObjectNode streamOptions = options instanceof ObjectNode given ? given : JSON.createObjectNode();
            streamOptions.put("include_usage", true);
            body.set("stream_options", streamOptions);
        }
        return body;
    }

    /** A request for a call the gateway composed (a template run): its messages, temperature and JSON mode. */
    private static ObjectNode composed(ChatCall call) {
        ObjectNode body = JSON.createObjectNode();
        ArrayNode messages = body.putArray("messages");
        for (ChatCall.Message message : call.messages()) {
            messages.addObject().put("role", message.role()).put("content", message.content());
        }
        if (call.temperature() != null) {
            body.put("temperature", call.temperature());
        }
        if (call.outputSchema() != null) {
            // the schema itself is in the prompt; the answer is checked against it
            body.putObject("response_format").put("type", "json_object");
        }
        return body;
    }

    /** The answer with the usage the provider reported, estimated where it reported none. */
    private Completion completion(ChatCall call, Buffer body) {
        JsonNode answer = http.parsed(body);
        JsonNode choices = answer.path("choices");
        if (!answer.isObject() || !choices.isArray() || choices.isEmpty()) {
            throw new MalformedAnswer(name + " answered 200 with no choices");
        }
        JsonNode first = choices.get(0);
        JsonNode message = first.path("message");
        String content = message.hasNonNull("content") ? message.get("content").asText() : "";
        JsonNode usage = answer.hasNonNull("usage") ? answer.get("usage") : null;
        if (usage == null) {
            missingUsage();
        }
        StringBuilder generated = new StringBuilder();
        choices.forEach(choice -> generated.append(textOf(choice.path("message"))));
        long input = usage != null && usage.hasNonNull("prompt_tokens") ? usage.get("prompt_tokens").asLong()
                : Tokens.count(call);
        long output = usage != null && usage.hasNonNull("completion_tokens") ? usage.get("completion_tokens").asLong()
                : Tokens.count(generated.toString());
        String model = answer.hasNonNull("model") ? answer.get("model").asText() : modelName;
        String finish = first.hasNonNull("finish_reason") ? first.get("finish_reason").asText() : "stop";
        return new Completion(name, model, content, finish, input, output, (ObjectNode) answer, usage);
    }

    /** An embeddings answer: a list of vectors, with the input tokens the provider counted. */
    private Completion embeddings(ObjectNode document, Buffer body) {
        JsonNode answer = http.parsed(body);
        if (!answer.isObject() || !answer.path("data").isArray()) {
            throw new MalformedAnswer(name + " answered 200 with no embeddings");
        }
        JsonNode usage = answer.hasNonNull("usage") ? answer.get("usage") : null;
        if (usage == null) {
            missingUsage();
        }
        long input = usage != null && usage.hasNonNull("prompt_tokens") ? usage.get("prompt_tokens").asLong()
                : Tokens.countInput(document.path("input"));
        String model = answer.hasNonNull("model") ? answer.get("model").asText() : modelName;
        return new Completion(name, model, "", null, input, 0, (ObjectNode) answer, usage);
    }

    /** A provider that sends no usage is billed on estimates: an operator should know. */
    private void missingUsage() {
        usageMissing.increment();
        LOG.warnf("providers: %s sent no usage; the answer is billed on estimated tokens", name);
    }

    /**
     * The text a message or delta generated: its content, reasoning, refusal and tool-call arguments (what is billed
     * when the provider counts nothing).
     */
    private static String textOf(JsonNode message) {
        StringBuilder text = new StringBuilder();
        for (String field : new String[] { "content", "reasoning_content", "reasoning" }) {
            if (message.hasNonNull(field) && message.get(field).isTextual()) {
                text.append(message.get(field).asText());
            }
        }
        if (message.hasNonNull("refusal")) {
            text.append(message.get("refusal").asText());
        }
        for (JsonNode toolCall : message.path("tool_calls")) {
            JsonNode function = toolCall.path("function");
            text.append(function.path("name").asText("")).append(function.path("arguments").asText(""));
        }
        return text.toString();
    }
}
