package dev.tollgate.generation.chat.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.Caller;
import dev.tollgate.common.security.CallerContext;
import dev.tollgate.common.security.Role;
import dev.tollgate.common.security.Scope;
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
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * The OpenAI-compatible API: point an OpenAI SDK at {@code <gateway>/v1} with a Tollgate token as its key.
 * One endpoint answers both ways, as OpenAI's does: JSON, or with {@code "stream": true} server-sent events
 * ({@code data: <chunk>} ... {@code data: [DONE]}). Refusals and a route that fails before the first piece are
 * problem+json with their status; a stream that breaks later ends with an {@code error} event and no
 * {@code [DONE]}.
 */
@Access(session = Role.MEMBER, apiKey = Scope.GENERATE)
@Path("/v1")
public class ChatCompletionsResource {

    private static final byte[] DONE = "data: [DONE]\n\n".getBytes(StandardCharsets.UTF_8);

    private final CompleteChat complete;
    private final ProviderRoutes routes;
    private final GenerationConfig config;
    private final CallerContext caller;
    private final ObjectMapper json;

    public ChatCompletionsResource(CompleteChat complete, ProviderRoutes routes, GenerationConfig config,
            CallerContext caller, ObjectMapper json) {
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
    public RestMulti<byte[]> create(ChatCompletionRequest request) {
        ChatCall call = toCall(request);
        Caller who = caller.require();
        if (Boolean.TRUE.equals(request.stream())) {
            boolean usage = request.streamOptions() != null && Boolean.TRUE.equals(request.streamOptions().includeUsage());
            return RestMulti.fromUniResponse(complete.stream(who, request.model(), call),
                    stream -> events(stream, usage),
                    stream -> headers(stream.headers(), MediaType.SERVER_SENT_EVENTS),
                    stream -> 200);
        }
        return RestMulti.fromUniResponse(complete.complete(who, request.model(), call),
                answer -> Multi.createFrom().item(bytes(toResponse(answer))),
                answer -> headers(answer.headers(), MediaType.APPLICATION_JSON),
                answer -> 200);
    }

    @GET
    @Path("/models")
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "The models offered here")
    public ModelList models() {
        return new ModelList("list", routes.models().stream()
                .map(id -> new ModelList.Model(id, "model", 0, "tollgate")).toList());
    }

    private ChatCall toCall(ChatCompletionRequest request) {
        if (request == null || request.model() == null || request.model().isBlank()) {
            throw invalid("model", "'model' is required; GET /v1/models lists the models offered");
        }
        if (request.messages() == null || request.messages().isEmpty()) {
            throw invalid("messages", "'messages' must hold at least one message");
        }
        List<ChatCall.Message> messages = request.messages().stream().map(message -> {
            if (message == null || message.role() == null || message.content() == null) {
                throw invalid("messages", "every message needs a 'role' and a text 'content'");
            }
            return new ChatCall.Message(message.role(), message.content());
        }).toList();
        Integer max = request.maxCompletionTokens() != null ? request.maxCompletionTokens() : request.maxTokens();
        if (max != null && max < 1) {
            String field = request.maxCompletionTokens() != null ? "max_completion_tokens" : "max_tokens";
            throw invalid(field, "'" + field + "' must be at least 1");
        }
        return new ChatCall(messages, max == null ? config.defaultMaxTokens() : max, request.temperature());
    }

    private static RuntimeException invalid(String param, String detail) {
        return Problems.builder(Response.Status.BAD_REQUEST, "invalid-request", "Invalid Request").withDetail(detail)
                .with(OpenAiErrors.PARAM, param).build();
    }

    private static ChatCompletionResponse toResponse(ChatAnswer answer) {
        var completion = answer.completion();
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
        return stream.events().onItem().transformToIterable(event -> {
            List<byte[]> out = new ArrayList<>();
            if (event instanceof StreamEvent.Piece piece) {
                out.add(event(new ChatCompletionChunk(id, "chat.completion.chunk", created, stream.providerModel(),
                        List.of(new ChatCompletionChunk.Choice(0, new ChatCompletionChunk.Delta(
                                first[0] ? "assistant" : null, piece.text()), null)),
                        null)));
                first[0] = false;
            } else if (event instanceof StreamEvent.Finished finished) {
                Completion completion = finished.completion();
                out.add(event(new ChatCompletionChunk(id, "chat.completion.chunk", created, completion.model(),
                        List.of(new ChatCompletionChunk.Choice(0, new ChatCompletionChunk.Delta(
                                first[0] ? "assistant" : null, null), completion.finishReason())),
                        null)));
                if (includeUsage) {
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
