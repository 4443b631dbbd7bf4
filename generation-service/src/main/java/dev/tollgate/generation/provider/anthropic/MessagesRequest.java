package dev.tollgate.generation.provider.anthropic;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tollgate.generation.provider.ChatCall;
import dev.tollgate.generation.provider.UnsupportedParameter;
import java.io.IOException;
import java.util.Iterator;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * An OpenAI chat completion request as Anthropic's Messages API takes it. System and developer messages become the
 * {@code system} blocks; user, assistant and tool messages the {@code messages}, consecutive ones of one role
 * merged (a tool's result is a user's {@code tool_result} block); text, images ({@code image_url}: a data URL or
 * an address) and PDF files are content blocks; an assistant's {@code tool_calls} are {@code tool_use} blocks;
 * {@code tools}, {@code tool_choice}, {@code parallel_tool_calls}, {@code stop}, {@code temperature},
 * {@code top_p} and {@code user} have their counterparts; {@code cache_control} on a content part or a tool is passed
 * on (Anthropic's prompt caching). The token limit is the one the gate held. Any other field, or a value Anthropic
 * cannot honour, is refused ({@link UnsupportedParameter}), never dropped; a field at its default (such as
 * {@code n: 1}, {@code logprobs: false} or a penalty of 0) changes nothing and is accepted.
 */
final class MessagesRequest {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Fields the gateway itself reads or sets: the model, the messages, the token limit, the stream. */
    private static final Set<String> THE_GATEWAYS = Set.of("model", "messages", "max_tokens", "max_completion_tokens",
            "stream", "stream_options");
    /** Fields whose given value asks for nothing beyond the default. */
    private static final Map<String, JsonNode> NEUTRAL = Map.of(
            "n", JSON.getNodeFactory().numberNode(1),
            "logprobs", JSON.getNodeFactory().booleanNode(false),
            "store", JSON.getNodeFactory().booleanNode(false),
            "frequency_penalty", JSON.getNodeFactory().numberNode(0),
            "presence_penalty", JSON.getNodeFactory().numberNode(0),
            "parallel_tool_calls", JSON.getNodeFactory().booleanNode(true),
            "top_p", JSON.getNodeFactory().numberNode(1));
    private static final Pattern DATA_URL = Pattern.compile("^data:([\\w.+-]+/[\\w.+-]+);base64,(.*)$",
            Pattern.DOTALL);
    private static final Set<String> IMAGE_TYPES = Set.of("image/jpeg", "image/png", "image/gif", "image/webp");

    private MessagesRequest() {
    }

    /** The Messages request for {@code call}, to {@code model}, streamed or not. */
    static ObjectNode of(ChatCall call, String model, boolean stream) {
        ObjectNode body = JSON.createObjectNode();
        body.put("model", model);
        body.put("max_tokens", call.maxTokens());
        if (call.choices() > 1) {
            throw unsupported("n", "Anthropic's models give one answer per request: 'n' must be 1");
        }
        ArrayNode system = JSON.createArrayNode();
        ArrayNode messages = body.putArray("messages");
        if (call.document() == null) {
            composed(call, system, messages);
            if (messages.isEmpty()) {
                throw unsupported("messages", "Anthropic's models need at least one message that is not empty");
            }
            if (call.temperature() != null) {
                temperature(JSON.getNodeFactory().numberNode(call.temperature()), body);
            }
        } else {
            options(call.document(), body);
            JsonNode given = call.document().path("messages");
            for (int i = 0; i < given.size(); i++) {
                message(given.get(i), "messages[" + i + "]", system, messages);
            }
        }
        if (!system.isEmpty()) {
            body.set("system", system);
        }
        if (stream) {
            body.put("stream", true);
        }
        return body;
    }

    /** A call the gateway composed (a template run): its messages; the schema is in its prompt. */
    private static void composed(ChatCall call, ArrayNode system, ArrayNode messages) {
        for (ChatCall.Message message : call.messages()) {
            if (message.content().isEmpty()) {
                continue; // Anthropic takes no empty text block, and it says nothing
            }
            ObjectNode text = JSON.createObjectNode().put("type", "text").put("text", message.content());
            if (message.role().equals("system") || message.role().equals("developer")) {
                system.add(text);
            } else {
                append(messages, message.role().equals("assistant") ? "assistant" : "user", text);
            }
        }
    }

    /** The request's fields other than its messages. */
    private static void options(ObjectNode document, ObjectNode body) {
        for (Iterator<Map.Entry<String, JsonNode>> fields = document.fields(); fields.hasNext();) {
            Map.Entry<String, JsonNode> field = fields.next();
            String name = field.getKey();
            JsonNode value = field.getValue();
            if (THE_GATEWAYS.contains(name) || value.isNull()
                    || (NEUTRAL.containsKey(name) && NEUTRAL.get(name).asDouble() == value.asDouble(-1)
                            && NEUTRAL.get(name).isBoolean() == value.isBoolean())) {
                continue;
            }
            switch (name) {
                case "temperature" -> temperature(value, body);
                case "top_p" -> body.set("top_p", number(value, "top_p"));
                case "stop" -> body.set("stop_sequences", stop(value));
                case "tools" -> body.set("tools", tools(value));
                case "tool_choice" -> body.set("tool_choice", merged(body.path("tool_choice"), toolChoice(value)));
                case "parallel_tool_calls" -> body.set("tool_choice", merged(body.path("tool_choice"),
                        JSON.createObjectNode().put("type", "auto").put("disable_parallel_tool_use", true)));
                case "user", "safety_identifier" -> body.putObject("metadata").put("user_id", text(value, name));
                case "response_format" -> {
                    if (!"text".equals(value.path("type").asText())) {
                        throw unsupported(name, "Anthropic's Messages API has no JSON mode: 'response_format' "
                                + "may only be {\"type\": \"text\"} on this route; ask for JSON in the prompt instead");
                    }
                }
                default -> throw unsupported(name, "'" + name + "' has no counterpart in Anthropic's Messages API"
                        + (NEUTRAL.containsKey(name) ? " (only " + NEUTRAL.get(name) + " is accepted)" : "")
                        + ", so it cannot be honoured on this route");
            }
        }
        if (body.has("temperature") && body.has("top_p")) {
            throw unsupported("top_p", "Claude's current models take 'temperature' or 'top_p', not both");
        }
        if ("none".equals(body.path("tool_choice").path("type").asText())) {
            ((ObjectNode) body.get("tool_choice")).remove("disable_parallel_tool_use"); // no tool, none in parallel
        }
    }

    private static void temperature(JsonNode value, ObjectNode body) {
        if (!value.isNumber() || value.asDouble() < 0 || value.asDouble() > 1) {
            throw unsupported("temperature", "Anthropic's models take a 'temperature' from 0 to 1");
        }
        body.set("temperature", value);
    }

    /** One OpenAI message, into the system blocks or the messages. */
    private static void message(JsonNode message, String at, ArrayNode system, ArrayNode messages) {
        String role = message.path("role").asText();
        if (!Set.of("system", "developer", "user", "assistant", "tool").contains(role)) {
            throw unsupported(at + ".role", "a '" + role + "' message has no counterpart in Anthropic's Messages API");
        }
        for (Iterator<String> names = message.fieldNames(); names.hasNext();) {
            String name = names.next();
            boolean known = name.equals("role") || name.equals("content")
                    || (role.equals("assistant") && (name.equals("tool_calls") || name.equals("refusal")))
                    || (role.equals("tool") && name.equals("tool_call_id"));
            if (!known && !message.get(name).isNull()) {
                throw unsupported(at + "." + name, "'" + name + "' on a " + role
                        + " message has no counterpart in Anthropic's Messages API");
            }
        }
        switch (role) {
            case "system", "developer" -> {
                for (JsonNode block : blocks(message.path("content"), at, false)) {
                    system.add(block);
                }
            }
            case "user" -> {
                ArrayNode content = blocks(message.path("content"), at, true);
                if (content.isEmpty()) {
                    throw unsupported(at + ".content", "Anthropic's models take no empty user message");
                }
                content.forEach(block -> append(messages, "user", block));
            }
            case "assistant" -> assistant(message, at, messages);
            default -> {
                ObjectNode result = JSON.createObjectNode().put("type", "tool_result")
                        .put("tool_use_id", text(message.path("tool_call_id"), at + ".tool_call_id"));
                JsonNode content = message.path("content");
                if (content.isTextual()) {
                    result.put("content", content.asText());
                } else {
                    result.set("content", blocks(content, at, true));
                }
                append(messages, "user", result); // a tool's result
            }
        }
    }

    /** An assistant's turn: its text, then its tool calls as {@code tool_use} blocks. */
    private static void assistant(JsonNode message, String at, ArrayNode messages) {
        JsonNode content = message.path("content");
        if (!content.isMissingNode() && !content.isNull()) {
            blocks(content, at, false).forEach(block -> append(messages, "assistant", block));
        }
        JsonNode calls = message.path("tool_calls");
        for (int i = 0; i < calls.size(); i++) {
            JsonNode call = calls.get(i);
            String where = at + ".tool_calls[" + i + "]";
            if (!"function".equals(call.path("type").asText("function"))) {
                throw unsupported(where + ".type", "only function tool calls have a counterpart in Anthropic's API");
            }
            ObjectNode use = JSON.createObjectNode().put("type", "tool_use").put("id", text(call.path("id"), where + ".id"))
                    .put("name", text(call.path("function").path("name"), where + ".function.name"));
            use.set("input", arguments(call.path("function").path("arguments"), where + ".function.arguments"));
            append(messages, "assistant", use);
        }
    }

    /** A tool call's arguments (a JSON object in a string) as the object Anthropic takes. */
    private static JsonNode arguments(JsonNode arguments, String at) {
        String text = arguments.isTextual() ? arguments.asText() : "{}";
        try {
            JsonNode parsed = text.isBlank() ? JSON.createObjectNode() : JSON.readTree(text);
            if (parsed != null && parsed.isObject()) {
                return parsed;
            }
        } catch (IOException notJson) {
            // refused below
        }
        throw unsupported(at, "a tool call's arguments must be a JSON object for Anthropic's models");
    }

    /** A message's content (a string or parts) as content blocks; {@code media}: images and files allowed. */
    private static ArrayNode blocks(JsonNode content, String at, boolean media) {
        ArrayNode blocks = JSON.createArrayNode();
        if (content.isTextual()) {
            if (!content.asText().isEmpty()) {
                blocks.addObject().put("type", "text").put("text", content.asText());
            }
            return blocks;
        }
        for (int i = 0; i < content.size(); i++) {
            JsonNode part = content.get(i);
            String where = at + ".content[" + i + "]";
            String type = part.path("type").asText();
            ObjectNode block = switch (type) {
                case "text", "refusal" -> {
                    String text = part.path(type).asText("");
                    yield text.isEmpty() ? null : JSON.createObjectNode().put("type", "text").put("text", text);
                }
                case "image_url" -> media ? image(part.path("image_url"), where) : null;
                case "file" -> media ? file(part.path("file"), where) : null;
                default -> null;
            };
            if (block == null && (type.equals("text") || type.equals("refusal"))) {
                continue; // an empty text part: Anthropic takes no empty text block, and it says nothing
            }
            if (block == null) {
                throw unsupported(where + ".type", "a '" + type + "' part has no counterpart in Anthropic's Messages "
                        + "API" + (media ? "" : " in this message's role"));
            }
            for (Iterator<String> names = part.fieldNames(); names.hasNext();) {
                String name = names.next();
                if (!name.equals("type") && !name.equals(type) && !name.equals("cache_control")) {
                    throw unsupported(where + "." + name, "'" + name + "' on a content part has no counterpart in "
                            + "Anthropic's Messages API");
                }
            }
            if (part.hasNonNull("cache_control")) {
                block.set("cache_control", cacheControl(part.get("cache_control"), where + ".cache_control"));
            }
            blocks.add(block);
        }
        return blocks;
    }

    /** An image part: a data URL as base64, an address as a URL source. */
    private static ObjectNode image(JsonNode image, String at) {
        String detail = image.path("detail").asText("auto");
        if (!detail.equals("auto")) {
            throw unsupported(at + ".image_url.detail", "Anthropic's models take no image 'detail': leave it out or "
                    + "send \"auto\"");
        }
        String url = text(image.path("url"), at + ".image_url.url");
        ObjectNode block = JSON.createObjectNode().put("type", "image");
        Matcher data = DATA_URL.matcher(url);
        if (data.matches()) {
            if (!IMAGE_TYPES.contains(data.group(1))) {
                throw unsupported(at + ".image_url.url", "Anthropic's models read JPEG, PNG, GIF and WebP images, "
                        + "not " + data.group(1));
            }
            block.putObject("source").put("type", "base64").put("media_type", data.group(1)).put("data",
                    data.group(2));
        } else if (url.startsWith("https://") || url.startsWith("http://")) {
            block.putObject("source").put("type", "url").put("url", url);
        } else {
            throw unsupported(at + ".image_url.url", "an image must be a data URL (base64) or an http(s) address");
        }
        return block;
    }

    /** A file part: a PDF as a base64 document. */
    private static ObjectNode file(JsonNode file, String at) {
        Matcher data = DATA_URL.matcher(file.path("file_data").asText(""));
        if (!data.matches() || !data.group(1).equals("application/pdf") || file.hasNonNull("file_id")) {
            throw unsupported(at + ".file", "Anthropic's models read files sent inline as PDF data URLs "
                    + "('file_data'); a 'file_id' has no counterpart");
        }
        ObjectNode block = JSON.createObjectNode().put("type", "document");
        block.putObject("source").put("type", "base64").put("media_type", "application/pdf").put("data",
                data.group(2));
        if (file.hasNonNull("filename")) {
            block.put("title", file.get("filename").asText());
        }
        return block;
    }

    /**
     * A cache mark: {@code {"type": "ephemeral"}}, the five-minute cache, whose writes the provider's
     * {@code cache-write-price-per-million} prices. The hour-long one costs more to write than that price says, so it
     * is refused rather than billed short.
     */
    private static JsonNode cacheControl(JsonNode mark, String at) {
        boolean fiveMinutes = mark.isObject() && "ephemeral".equals(mark.path("type").asText())
                && "5m".equals(mark.path("ttl").asText("5m")) && mark.size() <= 2
                && (mark.size() == 1 || mark.has("ttl"));
        if (!fiveMinutes) {
            throw unsupported(at, "only {\"type\": \"ephemeral\"} (the five-minute cache) is taken as a cache mark");
        }
        return mark;
    }

    /** OpenAI's function tools as Anthropic's tools. */
    private static ArrayNode tools(JsonNode tools) {
        ArrayNode result = JSON.createArrayNode();
        for (int i = 0; i < tools.size(); i++) {
            JsonNode tool = tools.get(i);
            String at = "tools[" + i + "]";
            if (!"function".equals(tool.path("type").asText())) {
                throw unsupported(at + ".type", "only function tools have a counterpart in Anthropic's Messages API");
            }
            JsonNode function = tool.path("function");
            if (function.path("strict").asBoolean(false)) {
                throw unsupported(at + ".function.strict", "Anthropic's Messages API does not hold tool arguments "
                        + "to a schema strictly: leave 'strict' out or false");
            }
            ObjectNode converted = result.addObject().put("name", text(function.path("name"), at + ".function.name"));
            if (function.hasNonNull("description")) {
                converted.put("description", function.get("description").asText());
            }
            converted.set("input_schema", function.hasNonNull("parameters") ? function.get("parameters")
                    : JSON.createObjectNode().put("type", "object").set("properties", JSON.createObjectNode()));
            if (tool.hasNonNull("cache_control")) {
                converted.set("cache_control", cacheControl(tool.get("cache_control"), at + ".cache_control"));
            }
        }
        return result;
    }

    /** {@code none}, {@code auto}, {@code required} or one named function, as Anthropic's tool choice. */
    private static ObjectNode toolChoice(JsonNode choice) {
        ObjectNode result = JSON.createObjectNode();
        if (choice.isTextual()) {
            switch (choice.asText()) {
                case "none" -> result.put("type", "none");
                case "auto" -> result.put("type", "auto");
                case "required" -> result.put("type", "any");
                default -> throw unsupported("tool_choice", "'tool_choice' must be none, auto, required or a function");
            }
            return result;
        }
        if ("function".equals(choice.path("type").asText()) && choice.path("function").path("name").isTextual()) {
            return result.put("type", "tool").put("name", choice.path("function").path("name").asText());
        }
        throw unsupported("tool_choice", "only none, auto, required and one named function have a counterpart in "
                + "Anthropic's Messages API");
    }

    /** {@code parallel_tool_calls: false} and the tool choice in one object, whichever came first. */
    private static ObjectNode merged(JsonNode before, ObjectNode next) {
        if (!(before instanceof ObjectNode earlier)) {
            return next;
        }
        if (next.has("disable_parallel_tool_use")) {
            return earlier.put("disable_parallel_tool_use", true);
        }
        if (earlier.has("disable_parallel_tool_use")) {
            next.put("disable_parallel_tool_use", true);
        }
        return next;
    }

    private static ArrayNode stop(JsonNode stop) {
        ArrayNode sequences = JSON.createArrayNode();
        if (stop.isTextual()) {
            sequences.add(stop.asText());
        } else if (stop.isArray()) {
            stop.forEach(sequence -> sequences.add(text(sequence, "stop")));
        } else {
            throw unsupported("stop", "'stop' must be a string or an array of strings");
        }
        return sequences;
    }

    /** {@code block} appended to the last message when it has {@code role}, otherwise to a new one. */
    private static void append(ArrayNode messages, String role, JsonNode block) {
        JsonNode last = messages.isEmpty() ? null : messages.get(messages.size() - 1);
        if (last == null || !role.equals(last.path("role").asText())) {
            ObjectNode message = messages.addObject().put("role", role);
            message.putArray("content").add(block);
        } else {
            ((ArrayNode) last.get("content")).add(block);
        }
    }

    private static JsonNode number(JsonNode value, String at) {
        if (!value.isNumber()) {
            throw unsupported(at, "'" + at + "' must be a number");
        }
        return value;
    }

    private static String text(JsonNode value, String at) {
        if (!value.isTextual()) {
            throw unsupported(at, "'" + at + "' must be a string");
        }
        return value.asText();
    }

    private static UnsupportedParameter unsupported(String param, String message) {
        return new UnsupportedParameter(param, message);
    }
}
