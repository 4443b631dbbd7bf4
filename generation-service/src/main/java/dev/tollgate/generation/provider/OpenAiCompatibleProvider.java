package dev.tollgate.generation.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.generation.config.GenerationConfig;
import io.micrometer.core.instrument.Counter;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

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
    /** The most of an error answer kept (its message reaches the caller). */
    private static final int MOST_ERROR_BODY = 4000;

    private final String name;
    private final String modelName;
    private final HttpClient http;
    private final String url;
    private final String embeddingsUrl;
    private final String authorization;
    private final Duration timeout;
    private final Counter cancellations;
    private final String maxTokensField;
    private final Counter usageMissing;
    /** The longest line of a stream read (a chunk with many choices and their logprobs fits many times). */
    private static final int LONGEST_LINE = 4 * 1024 * 1024;

    public OpenAiCompatibleProvider(String name, GenerationConfig.Provider config, HttpClient http,
            Counter cancellations, Counter usageMissing) {
        this.name = name;
        this.modelName = config.model();
        this.http = http;
        this.url = config.baseUrl().replaceAll("/+$", "") + "/chat/completions";
        this.embeddingsUrl = config.baseUrl().replaceAll("/+$", "") + "/embeddings";
        this.authorization = "Bearer " + config.apiKey().orElseThrow();
        this.timeout = config.timeout();
        this.cancellations = cancellations;
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
        return post(url, document(call, false), answer -> completion(call, answer));
    }

    /** The caller's embeddings request with the provider's model; the provider's answer as it wrote it. */
    @Override
    public Uni<Completion> embed(ObjectNode document) {
        ObjectNode body = document.deepCopy();
        body.put("model", modelName);
        return post(embeddingsUrl, body, answer -> embeddings(document, answer));
    }

    private Uni<Completion> post(String target, ObjectNode document, java.util.function.Function<Buffer, Completion> read) {
        Buffer body = Buffer.buffer(bytes(document));
        return Uni.createFrom().emitter(emitter -> {
            AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
            AtomicBoolean ended = new AtomicBoolean();
            emitter.onTermination(() -> {
                HttpClientRequest request = sent.get();
                if (!ended.get() && request != null) {
                    request.reset(); // the caller stopped waiting (the guard's timeout): the provider stops too
                }
            });
            http.request(options(target)).compose(request -> {
                sent.set(request);
                return request.send(body);
            }).compose(response -> response.body().map(answer -> {
                ended.set(true);
                if (response.statusCode() != 200) {
                    throw failure(response.statusCode(), response.headers(), answer);
                }
                return read.apply(answer);
            })).onComplete(result -> {
                ended.set(true);
                if (result.succeeded()) {
                    emitter.complete(result.result());
                } else {
                    emitter.fail(result.cause());
                }
            });
        });
    }

    /**
     * The answer chunk by chunk. A subscriber that cancels (the stream cut at its longest duration, a timeout)
     * resets the provider's request, so that it is not read, and paid, to its end.
     */
    @Override
    public Multi<ChatChunk> stream(ChatCall call) {
        Buffer body = Buffer.buffer(bytes(document(call, true)));
        return Multi.createFrom().emitter(emitter -> {
            AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
            AtomicBoolean ended = new AtomicBoolean();
            emitter.onTermination(() -> {
                HttpClientRequest request = sent.get();
                if (ended.compareAndSet(false, true)) {
                    if (request != null) {
                        request.reset();
                    }
                    cancellations.increment();
                }
            });
            http.request(options(url)).compose(request -> {
                sent.set(request);
                return request.send(body);
            }).onSuccess(response -> {
                if (response.statusCode() != 200) {
                    response.body().onComplete(answer -> {
                        ended.set(true);
                        emitter.fail(failure(response.statusCode(), response.headers(),
                                answer.succeeded() ? answer.result() : Buffer.buffer()));
                    });
                    return;
                }
                read(call, response, emitter, ended);
            }).onFailure(failure -> {
                ended.set(true);
                emitter.fail(failure);
            });
        });
    }

    /** Reads the provider's server-sent events, a line at a time, into pieces and the end. */
    private void read(ChatCall call, HttpClientResponse response, MultiEmitter<? super ChatChunk> emitter,
            AtomicBoolean ended) {
        StreamedAnswer answer = new StreamedAnswer(call);
        RecordParser lines = RecordParser.newDelimited("\n", response).maxRecordSize(LONGEST_LINE);
        lines.exceptionHandler(failure -> {
            if (ended.compareAndSet(false, true)) {
                emitter.fail(failure);
            }
        });
        lines.handler(line -> {
            if (ended.get()) {
                return;
            }
            String text = line.toString(StandardCharsets.UTF_8).strip();
            if (!text.startsWith("data:")) {
                return; // blank lines between events, comments (": keep-alive"), event names
            }
            String data = text.substring(5).strip();
            if (data.equals("[DONE]")) {
                end(answer, emitter, ended);
                return;
            }
            try {
                ChatChunk.Text piece = answer.read(JSON.readTree(data));
                if (piece != null) {
                    emitter.emit(piece);
                }
            } catch (JsonProcessingException | RuntimeException e) {
                if (ended.compareAndSet(false, true)) {
                    emitter.fail(e instanceof JsonProcessingException ? new MalformedAnswer("a chunk of "
                            + name + "'s stream is not JSON") : e);
                }
            }
        });
        lines.endHandler(ignored -> end(answer, emitter, ended));
    }

    private void end(StreamedAnswer answer, MultiEmitter<? super ChatChunk> emitter, AtomicBoolean ended) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        if (answer.finishReason == null) {
            emitter.fail(new StreamInterrupted("the provider ended the stream without a finish reason", null));
            return;
        }
        emitter.emit(new ChatChunk.Done(answer.completion()));
        emitter.complete();
    }

    /** What a stream has said so far: the first choice's text, why it finished, the model, the usage. */
    private final class StreamedAnswer {

        private final ChatCall call;
        private final StringBuilder content = new StringBuilder();
        private final StringBuilder generated = new StringBuilder();
        private String model;
        private String finishReason;
        private JsonNode usage;

        StreamedAnswer(ChatCall call) {
            this.call = call;
        }

        /** The piece {@code chunk} carries, or null for one that carries only the usage. */
        ChatChunk.Text read(JsonNode chunk) {
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

    private JsonNode parsed(Buffer body) {
        try {
            return JSON.readTree(body.getBytes());
        } catch (java.io.IOException e) {
            throw new MalformedAnswer(name + " answered 200 with a body that is not JSON");
        }
    }

    /** The answer with the usage the provider reported, estimated where it reported none. */
    private Completion completion(ChatCall call, Buffer body) {
        JsonNode answer = parsed(body);
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
        JsonNode answer = parsed(body);
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

    private RuntimeException failure(int status, MultiMap headers, Buffer body) {
        String text = body.length() > MOST_ERROR_BODY ? body.getString(0, MOST_ERROR_BODY) : body.toString();
        if (status == 429 || status == 503) {
            Duration pause = ProviderRetryAfter.pause(headers.get("retry-after-ms"), headers.get("Retry-After"));
            if (pause != null) {
                return new ProviderRetryAfter(status, pause, text);
            }
        }
        return new ProviderHttpError(status, text);
    }

    private RequestOptions options(String target) {
        return new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(target)
                .putHeader(HttpHeaders.AUTHORIZATION, authorization)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.ACCEPT, "application/json, text/event-stream")
                // no byte for this long fails the attempt (the guard's own timeouts are shorter or equal)
                .setIdleTimeout(timeout.toMillis());
    }

    private static byte[] bytes(JsonNode document) {
        try {
            return JSON.writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
