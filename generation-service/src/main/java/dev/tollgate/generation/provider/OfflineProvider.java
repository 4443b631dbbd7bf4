package dev.tollgate.generation.provider;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.ArrayList;
import java.util.List;

/**
 * The built-in model for a machine without provider keys: a deterministic answer that says it is offline and
 * repeats the start of the last user message, so the whole flow (gate, record, usage, billing) runs anywhere.
 * Asked for JSON (a prompt template), it answers the smallest object its schema accepts, labelled as offline in
 * every text field. Its tokens are counted as one per four characters.
 */
public final class OfflineProvider implements ChatProvider {

    public static final String NAME = "offline";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public String model() {
        return NAME;
    }

    /** The same answer, a word at a time. */
    @Override
    public Multi<ChatChunk> stream(ChatCall call) {
        Completion completion = answer(call);
        List<ChatChunk> chunks = new ArrayList<>();
        for (String word : completion.content().split("(?<= )")) {
            chunks.add(new ChatChunk.Text(word));
        }
        chunks.add(new ChatChunk.Done(completion));
        return Multi.createFrom().iterable(chunks);
    }

    @Override
    public Uni<Completion> complete(ChatCall call) {
        return Uni.createFrom().item(() -> answer(call));
    }

    private Completion answer(ChatCall call) {
        if (call.outputSchema() != null) {
            String json = example(call.outputSchema()).toString();
            return new Completion(NAME, NAME, json, "stop", Tokens.estimate(call), Tokens.estimate(json));
        }
        String last = lastUserMessage(call.messages());
        String echo = last.length() > 200 ? last.substring(0, 200) + "..." : last;
        String content = "[offline model] No AI provider is configured, so this deterministic answer stands in for "
                + "one. You wrote: " + echo;
        String finish = "stop";
        if (Tokens.estimate(content) > call.maxTokens()) {
            content = content.substring(0, Math.max(0, call.maxTokens() * 4));
            finish = "length";
        }
        return new Completion(NAME, NAME, content, finish, Tokens.estimate(call), Tokens.estimate(content));
    }

    /** The number of dimensions of the offline embeddings (unless the request asks for fewer). */
    static final int DIMENSIONS = 256;

    /**
     * Embeddings that stand in for a provider's: for each input, a unit vector drawn from its SHA-256, the same for
     * the same text, so that the flow (gate, usage, billing) and a client's code run anywhere.
     */
    @Override
    public Uni<Completion> embed(ObjectNode document) {
        return Uni.createFrom().item(() -> {
            JsonNodeFactory json = JsonNodeFactory.instance;
            int dimensions = Math.min(DIMENSIONS, Math.max(1, document.path("dimensions").asInt(DIMENSIONS)));
            JsonNode given = document.path("input");
            List<JsonNode> inputs = new ArrayList<>();
            if (given.isArray() && !given.isEmpty() && !given.get(0).isNumber()) {
                given.forEach(inputs::add);
            } else {
                inputs.add(given);
            }
            ObjectNode answer = json.objectNode().put("object", "list").put("model", NAME);
            ArrayNode data = answer.putArray("data");
            for (int i = 0; i < inputs.size(); i++) {
                ArrayNode vector = json.arrayNode();
                for (double value : vector(inputs.get(i).toString(), dimensions)) {
                    vector.add(value);
                }
                data.addObject().put("object", "embedding").put("index", i).set("embedding", vector);
            }
            long tokens = Tokens.estimateInput(given);
            answer.putObject("usage").put("prompt_tokens", tokens).put("total_tokens", tokens);
            return new Completion(NAME, NAME, "", null, tokens, 0, answer, answer.get("usage"));
        });
    }

    private static double[] vector(String text, int dimensions) {
        double[] vector = new double[dimensions];
        byte[] seed = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        double length = 0;
        try {
            java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            byte[] block = sha.digest(seed);
            for (int i = 0; i < dimensions; i++) {
                if (i > 0 && i % block.length == 0) {
                    block = sha.digest(block);
                }
                vector[i] = block[i % block.length] / 128.0;
                length += vector[i] * vector[i];
            }
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        double norm = Math.sqrt(length == 0 ? 1 : length);
        for (int i = 0; i < dimensions; i++) {
            vector[i] = vector[i] / norm;
        }
        return vector;
    }

    /** The smallest value {@code schema} accepts: required properties, one array item, minimums, first enum. */
    static JsonNode example(JsonNode schema) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        if (schema.has("enum")) {
            return schema.get("enum").get(0);
        }
        String type = schema.path("type").isArray() ? schema.path("type").get(0).asText()
                : schema.path("type").asText("string");
        switch (type) {
            case "object": {
                ObjectNode object = json.objectNode();
                for (JsonNode required : schema.path("required")) {
                    object.set(required.asText(), example(schema.path("properties").path(required.asText())));
                }
                return object;
            }
            case "array": {
                ArrayNode array = json.arrayNode();
                int items = Math.max(1, schema.path("minItems").asInt(1));
                for (int i = 0; i < items; i++) {
                    array.add(example(schema.path("items")));
                }
                return array;
            }
            case "integer":
                return json.numberNode(schema.path("minimum").asLong(1));
            case "number":
                return json.numberNode(schema.path("minimum").asDouble(1));
            case "boolean":
                return json.booleanNode(false);
            case "null":
                return json.nullNode();
            default:
                return json.textNode("[offline model] no AI provider is configured");
        }
    }

    private static String lastUserMessage(List<ChatCall.Message> messages) {
        for (int i = messages.size() - 1; i >= 0; i--) {
            if ("user".equals(messages.get(i).role())) {
                return messages.get(i).content();
            }
        }
        return "";
    }
}
