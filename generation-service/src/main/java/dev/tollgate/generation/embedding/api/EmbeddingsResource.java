package dev.tollgate.generation.embedding.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.common.security.Access;
import dev.tollgate.common.security.CallerContext;
import dev.tollgate.common.security.Role;
import dev.tollgate.common.security.Scope;
import dev.tollgate.generation.embedding.CreateEmbeddings;
import dev.tollgate.generation.openai.OpenAiErrors;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.eclipse.microprofile.openapi.annotations.Operation;

/**
 * OpenAI's embeddings endpoint: the request goes on to an OpenAI-compatible provider as sent (with the provider's
 * model), and its answer comes back as the provider wrote it, with {@code provider}, the configured provider that
 * served it. Metered by input tokens and cost.
 */
@Access(session = Role.MEMBER, apiKey = Scope.GENERATE)
@Path("/v1")
public class EmbeddingsResource {

    /** The most inputs one request may hold, as OpenAI allows. */
    static final int MOST_INPUTS = 2048;

    private final CreateEmbeddings embeddings;
    private final CallerContext caller;

    public EmbeddingsResource(CreateEmbeddings embeddings, CallerContext caller) {
        this.embeddings = embeddings;
        this.caller = caller;
    }

    @POST
    @Path("/embeddings")
    @Consumes(MediaType.APPLICATION_JSON)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Embeddings, metered by input tokens: 429 over a rate limit, 402 over quota before any provider is called")
    public Uni<Response> create(ObjectNode request) {
        String model = check(request);
        return embeddings.create(caller.require(), model, request).map(answer -> {
            ObjectNode body = answer.answer().answer(); // the provider's answer, read for this request alone
            body.put("provider", answer.answer().provider());
            Response.ResponseBuilder response = Response.ok(body, MediaType.APPLICATION_JSON_TYPE);
            answer.headers().forEach(response::header);
            return response.build();
        });
    }

    /** The model, once the request is one Tollgate can meter: a model, and an input of strings or tokens. */
    private static String check(ObjectNode request) {
        if (request == null || !request.path("model").isTextual() || request.get("model").asText().isBlank()) {
            throw OpenAiErrors.invalid("model", "'model' is required; GET /v1/models lists the models offered");
        }
        JsonNode input = request.path("input");
        boolean valid = input.isTextual() && !input.asText().isEmpty()
                || input.isArray() && !input.isEmpty() && input.size() <= MOST_INPUTS && uniform(input);
        if (!valid) {
            throw OpenAiErrors.invalid("input", "'input' must be a non-empty string, an array of up to " + MOST_INPUTS
                    + " strings, an array of tokens or an array of up to " + MOST_INPUTS + " arrays of tokens");
        }
        JsonNode dimensions = request.path("dimensions");
        if (!dimensions.isMissingNode() && !dimensions.isNull() && (!dimensions.isIntegralNumber() || dimensions.asInt() < 1)) {
            throw OpenAiErrors.invalid("dimensions", "'dimensions' must be a whole number, at least 1");
        }
        return request.get("model").asText();
    }

    /** Strings, or token numbers, or arrays of token numbers: one kind throughout, none empty. */
    private static boolean uniform(JsonNode items) {
        JsonNode first = items.get(0);
        for (JsonNode item : items) {
            boolean same = first.isTextual() ? item.isTextual() && !item.asText().isEmpty()
                    : first.isIntegralNumber() ? item.isIntegralNumber()
                            : first.isArray() && item.isArray() && !item.isEmpty() && allIntegral(item);
            if (!same) {
                return false;
            }
        }
        return true;
    }

    private static boolean allIntegral(JsonNode tokens) {
        for (JsonNode token : tokens) {
            if (!token.isIntegralNumber()) {
                return false;
            }
        }
        return true;
    }
}
