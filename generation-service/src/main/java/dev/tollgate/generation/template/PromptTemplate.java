package dev.tollgate.generation.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.networknt.schema.JsonSchema;
import dev.tollgate.generation.provider.ChatCall;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * A named prompt with structured output: what input it takes and what JSON answer it promises, both as JSON
 * Schema, and the models it prefers (the first one the tenant's plan includes answers).
 *
 * @param models routes in order of preference, e.g. {@code large, small}
 * @param prompt the user message, with {@code {{field}}} for the input's fields
 * @param inputJson the input's JSON Schema as written, for clients
 */
public record PromptTemplate(String name, String title, String description, List<String> models, int maxTokens,
        String system, String prompt, JsonNode inputJson, JsonNode outputJson,
        JsonSchema input, JsonSchema output) {

    private static final Pattern FIELD = Pattern.compile("\\{\\{(\\w+)}}");

    /** What is wrong with {@code value} as this template's input; empty when it is valid. */
    public List<String> inputProblems(JsonNode value) {
        return problems(input, value);
    }

    /** What is wrong with {@code value} as this template's answer; empty when it is valid. */
    public List<String> outputProblems(JsonNode value) {
        return problems(output, value);
    }

    /** The call that asks for this template's answer to {@code value} (valid input). */
    public ChatCall call(JsonNode value) {
        Matcher fields = FIELD.matcher(prompt);
        StringBuilder text = new StringBuilder();
        while (fields.find()) {
            fields.appendReplacement(text, Matcher.quoteReplacement(render(field(value, fields.group(1)))));
        }
        fields.appendTail(text);
        String instructions = system + "\nAnswer with one JSON object and nothing else. It must match this JSON Schema:\n"
                + outputJson;
        return new ChatCall(List.of(new ChatCall.Message("system", instructions), new ChatCall.Message("user",
                text.toString())), maxTokens, null, outputJson);
    }

    private JsonNode field(JsonNode value, String name) {
        JsonNode given = value.path(name);
        return given.isMissingNode() || given.isNull() ? inputJson.path("properties").path(name).path("default") : given;
    }

    private static String render(JsonNode value) {
        if (value.isMissingNode() || value.isNull()) {
            return "none";
        }
        if (value.isArray()) {
            List<String> items = new ArrayList<>();
            value.forEach(item -> items.add(render(item)));
            return items.isEmpty() ? "none" : String.join(", ", items);
        }
        if (value.isObject()) {
            List<String> entries = new ArrayList<>();
            Iterator<Map.Entry<String, JsonNode>> it = value.fields();
            it.forEachRemaining(e -> entries.add(e.getKey() + ": " + render(e.getValue())));
            return String.join("; ", entries);
        }
        return value.asText();
    }

    private static List<String> problems(JsonSchema schema, JsonNode value) {
        Set<String> messages = schema.validate(value).stream().map(Object::toString).collect(Collectors.toCollection(
                java.util.TreeSet::new));
        return List.copyOf(messages);
    }
}
