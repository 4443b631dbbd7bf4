package dev.tollgate.generation.chat.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.common.plan.TenantPlans;
import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.Caller;
import dev.tollgate.common.security.CallerContext;
import dev.tollgate.common.security.Role;
import dev.tollgate.common.security.Scope;
import dev.tollgate.generation.chat.AdmitCall;
import dev.tollgate.generation.chat.ChatAnswer;
import dev.tollgate.generation.chat.ChatStream;
import dev.tollgate.generation.chat.CompleteChat;
import dev.tollgate.generation.chat.StreamEvent;
import dev.tollgate.generation.config.GenerationConfig;
import dev.tollgate.generation.openai.OpenAiErrors;
import dev.tollgate.generation.provider.ChatCall;
import dev.tollgate.generation.provider.Completion;
import dev.tollgate.generation.provider.ProviderRoutes;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * The OpenAI-compatible API: point an OpenAI SDK at {@code <gateway>/v1} with a Tollgate token as its key.
 * One endpoint answers both ways, as OpenAI's does: JSON, or with {@code "stream": true} server-sent events
 * ({@code data: <chunk>} ... {@code data: [DONE]}). The request goes on to an OpenAI-compatible provider field for
 * field, and its answer, or each chunk, comes back as the provider wrote it. Refusals and a route that fails before
 * the first piece are errors with their status (OpenAI's envelope); a stream that breaks later ends with an
 * {@code error} event and no {@code [DONE]}.
 */
@Access(session = Role.MEMBER, apiKey = Scope.GENERATE)
@Path("/v1")
public class ChatCompletionsResource {

    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);
    /** The most choices ({@code n}) one request may ask for, as OpenAI allows. */
    private static final int MOST_CHOICES = 128;

    private final CompleteChat complete;
    private final AdmitCall admission;
    private final ProviderRoutes routes;
    private final GenerationConfig config;
    private final CallerContext caller;
    private final ObjectMapper json;
    private final TenantPlans plans;

    public ChatCompletionsResource(CompleteChat complete, AdmitCall admission, ProviderRoutes routes,
            GenerationConfig config, CallerContext caller, ObjectMapper json, TenantPlans plans) {
        this.admission = admission;
        this.plans = plans;
        this.complete = complete;
        this.routes = routes;
        this.config = config;
        this.caller = caller;
        this.json = json;
    }

    // no @Produces: the body is JSON or an event stream depending on the request, written here (see the class doc)
    @POST
    @Path("/chat/completions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "A chat completion, metered: 429 over a rate limit, 402 over quota before any provider is called")
    @APIResponse(responseCode = "200", description = "The answer, or its stream with \"stream\": true", content = {
            @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ChatCompletionResponse.class)),
            @Content(mediaType = MediaType.SERVER_SENT_EVENTS, schema = @Schema(implementation = ChatCompletionChunk.class)) })
    @RequestBody(content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = ChatCompletionRequest.class)))
    public RestMulti<byte[]> create(ObjectNode request) {
        ChatCall call = toCall(request);
        String model = request.get("model").asText();
        Caller who = caller.require();
        if (request.path("stream").asBoolean(false)) {
            boolean usage = request.path("stream_options").path("include_usage").asBoolean(false);
            return RestMulti.fromUniResponse(complete.stream(who, model, call),
                    stream -> events(stream, usage),
                    stream -> headers(stream.headers(), MediaType.SERVER_SENT_EVENTS),
                    stream -> 200);
        }
        return RestMulti.fromUniResponse(complete.complete(who, model, call),
                answer -> Multi.createFrom().item(bytes(toResponse(answer))),
                answer -> headers(answer.headers(), MediaType.APPLICATION_JSON),
                answer -> 200);
    }

    @GET
    @Path("/models")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The chat and embedding models the caller's plan (and API key) allows")
    public Uni<ModelList> models() {
        Caller who = caller.require();
        return admission.modelsOf(who).chain(keyAllows -> plans.of(who.tenantId()).map(plan -> {
            Set<String> allowed = plan.entitlements().allowedModels();
            List<String> offered = new ArrayList<>(routes.models());
            offered.addAll(routes.embeddingModels());
            return new ModelList("list", offered.stream().distinct().sorted()
                    .filter(id -> allowed.isEmpty() || allowed.contains(id))
                    .filter(keyAllows)
                    .map(id -> new ModelList.Model(id, "model", 0, "tollgate")).toList());
        }));
    }

    /**
     * The call, with the request itself as its document: every field goes on to an OpenAI-compatible provider. Only
     * what the gateway reads is checked here: the model, the messages' roles and contents, the token limit, {@code n}
     * and {@code stream}.
     */
    private ChatCall toCall(ObjectNode request) {
        if (request == null || !request.path("model").isTextual() || request.get("model").asText().isBlank()) {
            throw OpenAiErrors.invalid("model", "'model' is required; GET /v1/models lists the models offered");
        }
        JsonNode given = request.path("messages");
        if (!given.isArray() || given.isEmpty()) {
            throw OpenAiErrors.invalid("messages", "'messages' must hold at least one message");
        }
        List<ChatCall.Message> messages = new ArrayList<>();
        for (JsonNode message : given) {
            messages.add(message(message));
        }
        String field = request.hasNonNull("max_completion_tokens") ? "max_completion_tokens" : "max_tokens";
        JsonNode max = request.path(field);
        if (!max.isMissingNode() && !max.isNull() && (!max.isIntegralNumber() || !max.canConvertToInt() || max.asInt() < 1)) {
            throw OpenAiErrors.invalid(field, "'" + field + "' must be a whole number, at least 1");
        }
        JsonNode n = request.path("n");
        if (!n.isMissingNode() && !n.isNull() && (!n.isIntegralNumber() || !n.canConvertToInt() || n.asInt() < 1
                || n.asInt() > MOST_CHOICES)) {
            throw OpenAiErrors.invalid("n", "'n' must be a whole number from 1 to " + MOST_CHOICES);
        }
        for (String refused : config.refusedFields()) {
            JsonNode value = request.path(refused);
            boolean textOnly = refused.equals("modalities") && value.isArray() && value.size() == 1
                    && "text".equals(value.get(0).asText());
            if (!value.isMissingNode() && !value.isNull() && !textOnly) {
                throw OpenAiErrors.invalid(refused,
                        "'" + refused + "' is not served here: what it costs is not metered by tokens");
            }
        }
        JsonNode stream = request.path("stream");
        if (!stream.isMissingNode() && !stream.isNull() && !stream.isBoolean()) {
            throw OpenAiErrors.invalid("stream", "'stream' must be true or false");
        }
        JsonNode temperature = request.path("temperature");
        return new ChatCall(List.copyOf(messages), max.isIntegralNumber() ? max.asInt() : config.defaultMaxTokens(),
                temperature.isNumber() ? temperature.asDouble() : null, null, request,
                n.isIntegralNumber() ? n.asInt() : 1);
    }

    /**
     * A message's role and its text: a string, or the text of its parts (images, audio and files pass on to the
     * provider and are counted apart); an assistant's message may hold only tool calls.
     */
    private static ChatCall.Message message(JsonNode message) {
        if (!message.isObject() || !message.path("role").isTextual()) {
            throw OpenAiErrors.invalid("messages", "every message needs a 'role'");
        }
        String role = message.get("role").asText();
        JsonNode content = message.path("content");
        if (content.isTextual()) {
            return new ChatCall.Message(role, content.asText());
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                if (!part.isObject() || !part.path("type").isTextual()) {
                    throw OpenAiErrors.invalid("messages", "every part of a message's 'content' needs a 'type'");
                }
                if (part.path("text").isTextual()) {
                    text.append(text.isEmpty() ? "" : "\n").append(part.get("text").asText());
                }
            }
            return new ChatCall.Message(role, text.toString());
        }
        if ((content.isMissingNode() || content.isNull()) && role.equals("assistant")) {
            return new ChatCall.Message(role, ""); // tool calls only
        }
        throw OpenAiErrors.invalid("messages", "a " + role + " message needs a 'content': a string or an array of parts");
    }

    /**
     * The provider's answer as it sent it, with the generation's id and the provider that served it; the built-in
     * model's as the gateway writes it.
     */
    private static Object toResponse(ChatAnswer answer) {
        var completion = answer.completion();
        if (completion.answer() != null) {
            ObjectNode passed = completion.answer(); // read once, for this answer alone: no copy on the hot path
            passed.put("id", "chatcmpl-" + answer.generationId());
            passed.put("provider", completion.provider());
            return passed;
        }
        return new ChatCompletionResponse("chatcmpl-" + answer.generationId(), "chat.completion",
                System.currentTimeMillis() / 1000, completion.model(),
                List.of(new ChatCompletionResponse.Choice(0,
                        new ChatCompletionResponse.Message("assistant", completion.content()), completion.finishReason())),
                new ChatCompletionResponse.Usage(completion.inputTokens(), completion.outputTokens(),
                        completion.inputTokens() + completion.outputTokens()),
                completion.provider());
    }

    /** The stream's events as OpenAI writes them; the first piece carries the role. */
    private Multi<byte[]> events(ChatStream stream, boolean includeUsage) {
        String id = "chatcmpl-" + stream.generationId();
        long created = System.currentTimeMillis() / 1000;
        boolean[] first = { true };
        boolean[] passedOn = { false };
        return stream.events().onItem().transformToIterable(event -> {
            List<byte[]> out = new ArrayList<>();
            if (event instanceof StreamEvent.Piece piece && piece.chunk() != null) {
                // the provider's chunk as it sent it (tool-call deltas, refusal, logprobs), under the generation's id
                piece.chunk().put("id", id);
                out.add(event(piece.chunk()));
                passedOn[0] = true;
            } else if (event instanceof StreamEvent.Piece piece) {
                out.add(event(new ChatCompletionChunk(id, "chat.completion.chunk", created, stream.providerModel(),
                        List.of(new ChatCompletionChunk.Choice(0, new ChatCompletionChunk.Delta(
                                first[0] ? "assistant" : null, piece.text()), null)),
                        null)));
                first[0] = false;
            } else if (event instanceof StreamEvent.Finished finished) {
                Completion completion = finished.completion();
                if (!passedOn[0]) {
                    // the built-in model's last chunk; a provider's finish reason came in its own chunk
                    out.add(event(new ChatCompletionChunk(id, "chat.completion.chunk", created, completion.model(),
                            List.of(new ChatCompletionChunk.Choice(0, new ChatCompletionChunk.Delta(
                                    first[0] ? "assistant" : null, null), completion.finishReason())),
                            null)));
                }
                if (includeUsage && completion.usage() != null) {
                    // the provider's usage as it sent it (cached and reasoning token details included)
                    ObjectNode usage = json.createObjectNode().put("id", id).put("object", "chat.completion.chunk")
                            .put("created", created).put("model", completion.model());
                    usage.putArray("choices");
                    usage.set("usage", completion.usage());
                    out.add(event(usage));
                } else if (includeUsage) {
                    out.add(event(new ChatCompletionChunk(id, "chat.completion.chunk", created, completion.model(),
                            List.of(), new ChatCompletionResponse.Usage(completion.inputTokens(),
                                    completion.outputTokens(), completion.inputTokens() + completion.outputTokens()))));
                }
                out.add(DONE);
            } else if (event instanceof StreamEvent.Failed failed) {
                out.add(event(new ChatCompletionChunk.Error(new ChatCompletionChunk.Error.Body(failed.message(),
                        "server_error", failed.code()))));
            }
            return out;
        });
    }

    private byte[] event(Object chunk) {
        byte[] data = bytes(chunk);
        byte[] framed = new byte[data.length + 8];
        System.arraycopy("data: ".getBytes(StandardCharsets.UTF_8), 0, framed, 0, 6);
        System.arraycopy(data, 0, framed, 6, data.length);
        framed[framed.length - 2] = '\n';
        framed[framed.length - 1] = '\n';
        return framed;
    }

    private byte[] bytes(Object body) {
        try {
            return json.writeValueAsBytes(body);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Map<String, List<String>> headers(Map<String, String> gate, String contentType) {
        Map<String, List<String>> headers = new HashMap<>();
        gate.forEach((name, value) -> headers.put(name, List.of(value)));
        headers.put("Content-Type", List.of(contentType));
        if (MediaType.SERVER_SENT_EVENTS.equals(contentType)) {
            headers.put("Cache-Control", List.of("no-cache"));
            headers.put("X-Accel-Buffering", List.of("no"));
        }
        return headers;
    }
}
