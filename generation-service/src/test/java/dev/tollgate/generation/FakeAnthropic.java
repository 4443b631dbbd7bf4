package dev.tollgate.generation;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.core.WireMockConfiguration.options;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.github.tomakehurst.wiremock.WireMockServer;
import com.github.tomakehurst.wiremock.extension.ResponseDefinitionTransformerV2;
import com.github.tomakehurst.wiremock.http.ResponseDefinition;
import com.github.tomakehurst.wiremock.stubbing.ServeEvent;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Anthropic's Messages API at the wire level (WireMock on a loopback port, {@code POST /v1/messages}), answering
 * as Anthropic does and refusing, as Anthropic does, a request its API would refuse: a wrong {@code x-api-key}, no
 * {@code anthropic-version}, a field it does not know, messages that do not alternate, a {@code tool_result}
 * without its {@code tool_use}, a temperature above 1, and more. Its answers follow the last user turn:
 * <ul>
 * <li>a turn with a tool's result: "The tool answered: " and the result;</li>
 * <li>with tools offered (and a tool choice other than none): a call of the chosen or first tool, each required
 * argument {@code "emulated"} (or 1, or true);</li>
 * <li>with an image or a document: what it sees ("I see an image (image/png)");</li>
 * <li>otherwise "Hello from Claude. You said: " and the text; cut at a stop sequence or at {@code max_tokens}
 * words, with the stop reason that says so.</li>
 * </ul>
 * A turn containing {@code overloaded} is answered 529, {@code slow-down} 429 with {@code retry-after: 0} the first
 * time it is seen; a stream whose turn contains {@code break-mid-stream} ends with an overload {@code error} event
 * after its first piece. Usage counts one token a word: system blocks marked {@code cache_control} are written to the
 * cache the first time and read from it after. Streams are Anthropic's events ({@code message_start} ...
 * {@code message_stop}). Providers {@code claude} (route {@code claude}), {@code claude} then OpenAI's
 * {@code primary} (route {@code claude-first}) and the reverse (route {@code gpt-first}).
 */
public class FakeAnthropic implements QuarkusTestResourceLifecycleManager {

    public static final String KEY = "test-anthropic-key";
    public static final String MODEL = "claude-haiku-4-5";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static WireMockServer server;

    public static synchronized WireMockServer server() {
        if (server == null) {
            server = new WireMockServer(options().dynamicPort().bindAddress("127.0.0.1")
                    .extensions(new MessagesEndpoint()));
            server.start();
            server.stubFor(post("/v1/messages").willReturn(aResponse().withTransformers(MessagesEndpoint.NAME)));
        }
        return server;
    }

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        String prefix = "tollgate.generation.providers.claude.";
        config.put(prefix + "api", "anthropic");
        config.put(prefix + "base-url", "http://127.0.0.1:" + server().port() + "/v1");
        config.put(prefix + "api-key", KEY);
        config.put(prefix + "model", MODEL);
        config.put(prefix + "timeout", "2s");
        config.put(prefix + "breaker-request-volume", "1000");
        // per million tokens: input 1,000 $, read from the cache 100 $, written to it 1,250 $, output 5,000 $
        config.put(prefix + "input-price-per-million", "1000");
        config.put(prefix + "cached-input-price-per-million", "100");
        config.put(prefix + "cache-write-price-per-million", "1250");
        config.put(prefix + "output-price-per-million", "5000");
        config.put("tollgate.generation.routes.claude", "claude");
        config.put("tollgate.generation.routes.claude-first", "claude,primary");
        config.put("tollgate.generation.routes.gpt-first", "primary,claude");
        return config;
    }

    @Override
    public void stop() {
        // the server lives as long as the test JVM, shared by every test class
    }

    /** The requests the emulator received whose body contains {@code marker}, as JSON, in order. */
    public static List<JsonNode> received(String marker) {
        List<JsonNode> bodies = new ArrayList<>();
        for (ServeEvent event : server().getAllServeEvents()) {
            if (event.getRequest().getBodyAsString().contains(marker)) {
                try {
                    bodies.add(0, JSON.readTree(event.getRequest().getBodyAsString()));
                } catch (java.io.IOException e) {
                    throw new IllegalStateException(e);
                }
            }
        }
        return bodies;
    }

    /** The prompt's tokens the emulator reported answering the request whose body contains {@code marker}. */
    public static long promptTokens(String marker) {
        for (ServeEvent event : server().getAllServeEvents()) {
            if (event.getRequest().getBodyAsString().contains(marker)) {
                java.util.regex.Matcher counted = java.util.regex.Pattern.compile("\"input_tokens\":(\\d+)")
                        .matcher(event.getResponse().getBodyAsString());
                if (counted.find()) {
                    return Long.parseLong(counted.group(1));
                }
            }
        }
        throw new IllegalStateException("no answer counted the prompt of " + marker);
    }

    /** The Messages endpoint: checks the request as Anthropic would, then answers it. */
    public static final class MessagesEndpoint implements ResponseDefinitionTransformerV2 {

        static final String NAME = "anthropic-messages";
        private static final Set<String> FIELDS = Set.of("model", "messages", "max_tokens", "system",
                "stop_sequences", "stream", "temperature", "top_p", "top_k", "tools", "tool_choice", "metadata");
        private final Set<String> cached = ConcurrentHashMap.newKeySet();
        private final Set<String> slowedDown = ConcurrentHashMap.newKeySet();

        @Override
        public String getName() {
            return NAME;
        }

        @Override
        public boolean applyGlobally() {
            return false;
        }

        @Override
        public ResponseDefinition transform(ServeEvent event) {
            if (!KEY.equals(event.getRequest().getHeader("x-api-key"))) {
                return error(401, "authentication_error", "invalid x-api-key");
            }
            if (event.getRequest().getHeader("anthropic-version") == null) {
                return error(400, "invalid_request_error", "anthropic-version: header is required");
            }
            JsonNode request;
            try {
                request = JSON.readTree(event.getRequest().getBodyAsString());
            } catch (java.io.IOException e) {
                return error(400, "invalid_request_error", "the body is not JSON");
            }
            String refused = refusal(request);
            if (refused != null) {
                return error(400, "invalid_request_error", refused);
            }
            JsonNode turn = request.get("messages").get(request.get("messages").size() - 1);
            String said = text(turn.get("content"));
            if (said.contains("overloaded")) {
                return error(529, "overloaded_error", "Overloaded");
            }
            if (said.contains("slow-down") && slowedDown.add(said)) {
                return aResponse().withStatus(429).withHeader("retry-after", "0")
                        .withHeader("Content-Type", "application/json")
                        .withBody(errorBody("rate_limit_error", "slow down")).build();
            }
            ObjectNode message = answer(request, turn, said);
            if (request.path("stream").asBoolean(false)) {
                return aResponse().withStatus(200).withHeader("Content-Type", "text/event-stream")
                        .withBody(events(message, said.contains("break-mid-stream"))).build();
            }
            return aResponse().withStatus(200).withHeader("Content-Type", "application/json")
                    .withBody(message.toString()).build();
        }

        /** What Anthropic's API would say against {@code request}, or null when it takes it. */
        private static String refusal(JsonNode request) {
            for (var names = request.fieldNames(); names.hasNext();) {
                String name = names.next();
                if (!FIELDS.contains(name)) {
                    return name + ": Extra inputs are not permitted";
                }
            }
            if (!request.path("model").isTextual() || !request.path("max_tokens").isInt()
                    || request.get("max_tokens").asInt() < 1) {
                return "model and max_tokens are required";
            }
            if (request.has("temperature") && (request.get("temperature").asDouble() < 0
                    || request.get("temperature").asDouble() > 1)) {
                return "temperature: Input should be less than or equal to 1";
            }
            if (request.has("metadata") && (request.get("metadata").size() != 1
                    || !request.get("metadata").has("user_id"))) {
                return "metadata: only user_id is permitted";
            }
            JsonNode system = request.path("system");
            if (!system.isMissingNode() && !system.isTextual()) {
                for (JsonNode block : system) {
                    if (!"text".equals(block.path("type").asText()) || block.path("text").asText().isEmpty()) {
                        return "system: only non-empty text blocks are permitted";
                    }
                }
            }
            for (JsonNode tool : request.path("tools")) {
                if (!tool.path("name").asText().matches("[a-zA-Z0-9_-]{1,128}")
                        || !"object".equals(tool.path("input_schema").path("type").asText())) {
                    return "tools: each tool needs a name and an input_schema of type object";
                }
            }
            JsonNode choice = request.path("tool_choice");
            if (!choice.isMissingNode() && (!Set.of("auto", "any", "tool", "none").contains(choice.path("type").asText())
                    || ("tool".equals(choice.path("type").asText()) && !choice.path("name").isTextual()))) {
                return "tool_choice: invalid";
            }
            return messagesRefusal(request.path("messages"));
        }

        private static String messagesRefusal(JsonNode messages) {
            if (!messages.isArray() || messages.isEmpty()) {
                return "messages: at least one message is required";
            }
            Set<String> pendingToolUses = new java.util.HashSet<>();
            String previous = null;
            for (int i = 0; i < messages.size(); i++) {
                JsonNode message = messages.get(i);
                String role = message.path("role").asText();
                if (!role.equals("user") && !role.equals("assistant")) {
                    return "messages." + i + ".role: Input should be 'user' or 'assistant'";
                }
                if (role.equals(previous)) {
                    return "messages: roles must alternate between \"user\" and \"assistant\"";
                }
                previous = role;
                JsonNode content = message.path("content");
                if (content.isTextual()) {
                    continue;
                }
                boolean pastResults = false;
                Set<String> answered = new java.util.HashSet<>();
                for (JsonNode block : content) {
                    String type = block.path("type").asText();
                    String problem = switch (type) {
                        case "text" -> block.path("text").asText().isEmpty() ? "text content blocks must be non-empty"
                                : null;
                        case "image" -> role.equals("user") && image(block.path("source")) ? null : "image: invalid";
                        case "document" -> role.equals("user")
                                && "application/pdf".equals(block.path("source").path("media_type").asText()) ? null
                                        : "document: invalid";
                        case "tool_use" -> role.equals("assistant") && block.path("id").isTextual()
                                && block.path("name").isTextual() && block.path("input").isObject() ? null
                                        : "tool_use: invalid";
                        case "tool_result" -> !role.equals("user") || pastResults
                                ? "tool_result blocks must come first in a user message"
                                : !pendingToolUses.contains(block.path("tool_use_id").asText())
                                        ? "unexpected tool_use_id found in tool_result blocks: "
                                                + block.path("tool_use_id").asText()
                                        : null;
                        default -> "messages." + i + ".content: unknown block type " + type;
                    };
                    if (problem != null) {
                        return problem;
                    }
                    if (type.equals("tool_result")) {
                        answered.add(block.path("tool_use_id").asText());
                    } else {
                        pastResults = true;
                    }
                }
                if (role.equals("user")) {
                    if (!answered.containsAll(pendingToolUses)) {
                        return "tool_use ids were found without tool_result blocks immediately after";
                    }
                    pendingToolUses.clear();
                } else {
                    content.forEach(block -> {
                        if ("tool_use".equals(block.path("type").asText())) {
                            pendingToolUses.add(block.path("id").asText());
                        }
                    });
                }
            }
            return "user".equals(previous) ? null : "the last message must be the user's";
        }

        private static boolean image(JsonNode source) {
            return switch (source.path("type").asText()) {
                case "base64" -> Set.of("image/jpeg", "image/png", "image/gif", "image/webp")
                        .contains(source.path("media_type").asText()) && source.path("data").isTextual();
                case "url" -> source.path("url").asText().startsWith("http");
                default -> false;
            };
        }

        /** The message Anthropic would answer with. */
        private ObjectNode answer(JsonNode request, JsonNode turn, String said) {
            ObjectNode message = JSON.createObjectNode().put("id", "msg_" + UUID.randomUUID().toString()
                    .replace("-", "")).put("type", "message").put("role", "assistant")
                    .put("model", request.get("model").asText());
            ArrayNode content = message.putArray("content");
            String stopReason = "end_turn";
            String stopSequence = null;
            JsonNode result = block(turn.get("content"), "tool_result");
            JsonNode tools = request.path("tools");
            String choice = request.path("tool_choice").path("type").asText("auto");
            JsonNode media = block(turn.get("content"), "image");
            media = media != null ? media : block(turn.get("content"), "document");
            long output;
            if (result == null && tools.size() > 0 && !choice.equals("none")) {
                JsonNode tool = tools.get(0);
                if (choice.equals("tool")) {
                    for (JsonNode named : tools) {
                        tool = named.path("name").asText().equals(request.get("tool_choice").get("name").asText())
                                ? named
                                : tool;
                    }
                }
                ObjectNode input = JSON.createObjectNode();
                for (JsonNode required : tool.path("input_schema").path("required")) {
                    String type = tool.path("input_schema").path("properties").path(required.asText()).path("type")
                            .asText("string");
                    switch (type) {
                        case "integer", "number" -> input.put(required.asText(), 1);
                        case "boolean" -> input.put(required.asText(), true);
                        default -> input.put(required.asText(), "emulated");
                    }
                }
                content.addObject().put("type", "tool_use").put("id", "toolu_" + UUID.randomUUID().toString()
                        .replace("-", "").substring(0, 20)).put("name", tool.get("name").asText()).set("input", input);
                stopReason = "tool_use";
                output = 10;
            } else {
                String text = result != null ? "The tool answered: " + text(result.path("content"))
                        : media != null
                                ? "I see " + (media.path("type").asText().equals("image") ? "an image (" : "a document (")
                                        + media.path("source").path("media_type")
                                                .asText(media.path("source").path("type").asText())
                                        + ")"
                                : "Hello from Claude. You said: " + said;
                for (JsonNode stop : request.path("stop_sequences")) {
                    int at = text.indexOf(stop.asText());
                    if (at >= 0) {
                        text = text.substring(0, at);
                        stopReason = "stop_sequence";
                        stopSequence = stop.asText();
                    }
                }
                String[] words = text.split(" ");
                int most = request.get("max_tokens").asInt();
                if (words.length > most) {
                    text = String.join(" ", java.util.Arrays.copyOf(words, most));
                    stopReason = "max_tokens";
                    stopSequence = null;
                }
                content.addObject().put("type", "text").put("text", text);
                output = text.split(" ").length;
            }
            message.put("stop_reason", stopReason);
            if (stopSequence == null) {
                message.putNull("stop_sequence");
            } else {
                message.put("stop_sequence", stopSequence);
            }
            long cachable = 0;
            StringBuilder marked = new StringBuilder();
            for (JsonNode block : request.path("system")) {
                if (block.has("cache_control")) {
                    marked.append(block.path("text").asText());
                    cachable += words(block.path("text").asText());
                }
            }
            long all = words(request.path("system").toString()) + words(request.path("messages").toString());
            ObjectNode usage = message.putObject("usage");
            boolean hit = cachable > 0 && !cached.add(marked.toString());
            usage.put("input_tokens", all - cachable)
                    .put("cache_creation_input_tokens", cachable > 0 && !hit ? cachable : 0)
                    .put("cache_read_input_tokens", hit ? cachable : 0)
                    .put("output_tokens", output);
            return message;
        }

        /** {@code message} as Anthropic streams it; {@code breaking}: an overload error after the first piece. */
        private static String events(ObjectNode message, boolean breaking) {
            StringBuilder events = new StringBuilder();
            ObjectNode start = message.deepCopy();
            start.putArray("content");
            start.putNull("stop_reason");
            ((ObjectNode) start.get("usage")).put("output_tokens", 1);
            events.append(event("message_start", JSON.createObjectNode().put("type", "message_start")
                    .set("message", start)));
            events.append(event("ping", JSON.createObjectNode().put("type", "ping")));
            int index = 0;
            for (JsonNode block : message.get("content")) {
                ObjectNode opened = block.deepCopy();
                if (block.path("type").asText().equals("text")) {
                    opened.put("text", "");
                } else {
                    opened.putObject("input");
                }
                events.append(event("content_block_start", JSON.createObjectNode().put("type", "content_block_start")
                        .put("index", index).set("content_block", opened)));
                List<String> pieces = new ArrayList<>();
                if (block.path("type").asText().equals("text")) {
                    for (String word : block.get("text").asText().split("(?<= )")) {
                        pieces.add(word);
                    }
                } else {
                    String input = block.get("input").toString();
                    pieces.add(input.substring(0, input.length() / 2));
                    pieces.add(input.substring(input.length() / 2));
                }
                for (String piece : pieces) {
                    ObjectNode delta = block.path("type").asText().equals("text")
                            ? JSON.createObjectNode().put("type", "text_delta").put("text", piece)
                            : JSON.createObjectNode().put("type", "input_json_delta").put("partial_json", piece);
                    events.append(event("content_block_delta", JSON.createObjectNode().put("type",
                            "content_block_delta").put("index", index).set("delta", delta)));
                    if (breaking) {
                        return events + event("error", errorNode("overloaded_error", "Overloaded"));
                    }
                }
                events.append(event("content_block_stop", JSON.createObjectNode().put("type", "content_block_stop")
                        .put("index", index)));
                index++;
            }
            ObjectNode delta = JSON.createObjectNode().put("type", "message_delta");
            delta.putObject("delta").put("stop_reason", message.get("stop_reason").asText())
                    .set("stop_sequence", message.get("stop_sequence"));
            delta.putObject("usage").put("output_tokens", message.get("usage").get("output_tokens").asLong());
            events.append(event("message_delta", delta));
            events.append(event("message_stop", JSON.createObjectNode().put("type", "message_stop")));
            return events.toString();
        }

        private static String event(String name, JsonNode data) {
            return "event: " + name + "\ndata: " + data + "\n\n";
        }

        private static JsonNode block(JsonNode content, String type) {
            for (JsonNode block : content) {
                if (type.equals(block.path("type").asText())) {
                    return block;
                }
            }
            return null;
        }

        /** The text of a content (a string or blocks, tool results' contents included). */
        private static String text(JsonNode content) {
            if (content == null || content.isTextual()) {
                return content == null ? "" : content.asText();
            }
            StringBuilder text = new StringBuilder();
            for (JsonNode block : content) {
                text.append(block.path("text").asText()).append(text(block.get("content")));
            }
            return text.toString();
        }

        private static long words(String text) {
            return text.isBlank() ? 0 : text.trim().split("\\s+").length;
        }

        private static ResponseDefinition error(int status, String type, String message) {
            return aResponse().withStatus(status).withHeader("Content-Type", "application/json")
                    .withBody(errorBody(type, message)).build();
        }

        private static String errorBody(String type, String message) {
            return errorNode(type, message).toString();
        }

        private static ObjectNode errorNode(String type, String message) {
            ObjectNode body = JSON.createObjectNode().put("type", "error");
            body.putObject("error").put("type", type).put("message", message);
            return body;
        }
    }
}
