package dev.tollgate.generation.chat.api;

import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.CallerContext;
import dev.tollgate.generation.chat.ChatAnswer;
import dev.tollgate.generation.chat.CompleteChat;
import dev.tollgate.generation.config.GenerationConfig;
import dev.tollgate.generation.provider.ChatCall;
import dev.tollgate.generation.provider.ProviderRoutes;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.resteasy.reactive.RestResponse;

/** The OpenAI-compatible API: point an OpenAI SDK at {@code <gateway>/v1} with a Tollgate token as its key. */
@Path("/v1")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
public class ChatCompletionsResource {

    private final CompleteChat complete;
    private final ProviderRoutes routes;
    private final GenerationConfig config;
    private final CallerContext caller;

    public ChatCompletionsResource(CompleteChat complete, ProviderRoutes routes, GenerationConfig config,
                                   CallerContext caller) {
        this.complete = complete;
        this.routes = routes;
        this.config = config;
        this.caller = caller;
    }

    @POST
    @Path("/chat/completions")
    @Consumes(MediaType.APPLICATION_JSON)
    @Operation(summary = "A chat completion, metered: 429 over a rate limit, 402 over quota before any provider is called")
    public Uni<RestResponse<ChatCompletionResponse>> create(ChatCompletionRequest request) {
        ChatCall call = toCall(request);
        return complete.complete(caller.require(), request.model(), call).map(ChatCompletionsResource::toResponse);
    }

    @GET
    @Path("/models")
    @Operation(summary = "The models offered here")
    public ModelList models() {
        return new ModelList("list", routes.models().stream()
                .map(id -> new ModelList.Model(id, "model", 0, "tollgate")).toList());
    }

    private ChatCall toCall(ChatCompletionRequest request) {
        if (request == null || request.model() == null || request.model().isBlank()) {
            throw invalid("'model' is required; GET /v1/models lists the models offered");
        }
        if (request.messages() == null || request.messages().isEmpty()) {
            throw invalid("'messages' must hold at least one message");
        }
        if (Boolean.TRUE.equals(request.stream())) {
            throw invalid("streaming ('stream': true) is not offered yet; send the request without it");
        }
        List<ChatCall.Message> messages = request.messages().stream().map(message -> {
            if (message == null || message.role() == null || message.content() == null) {
                throw invalid("every message needs a 'role' and a text 'content'");
            }
            return new ChatCall.Message(message.role(), message.content());
        }).toList();
        Integer max = request.maxCompletionTokens() != null ? request.maxCompletionTokens() : request.maxTokens();
        if (max != null && max < 1) {
            throw invalid("'max_tokens' must be at least 1");
        }
        return new ChatCall(messages, max == null ? config.defaultMaxTokens() : max, request.temperature());
    }

    private static RuntimeException invalid(String detail) {
        return Problems.badRequest("invalid-request", "Invalid Request", detail);
    }

    private static RestResponse<ChatCompletionResponse> toResponse(ChatAnswer answer) {
        var completion = answer.completion();
        ChatCompletionResponse body = new ChatCompletionResponse("chatcmpl-" + answer.generationId(), "chat.completion",
                System.currentTimeMillis() / 1000, completion.model(),
                List.of(new ChatCompletionResponse.Choice(0,
                        new ChatCompletionResponse.Message("assistant", completion.content()), completion.finishReason())),
                new ChatCompletionResponse.Usage(completion.inputTokens(), completion.outputTokens(),
                        completion.inputTokens() + completion.outputTokens()),
                completion.provider());
        RestResponse.ResponseBuilder<ChatCompletionResponse> response = RestResponse.ResponseBuilder.ok(body);
        answer.headers().forEach(response::header);
        return response.build();
    }
}
