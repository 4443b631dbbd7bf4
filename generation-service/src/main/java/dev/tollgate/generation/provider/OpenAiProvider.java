package dev.tollgate.generation.provider;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.tollgate.generation.config.GenerationConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * An OpenAI-compatible provider through langchain4j's OpenAI client (in Quarkus, its REST client). One attempt
 * per call: retries and fallback are the gateway's, not the client's.
 */
public final class OpenAiProvider implements ChatProvider {

    private final String name;
    private final String modelName;
    private final ChatModel model;

    public OpenAiProvider(String name, GenerationConfig.Provider config) {
        this.name = name;
        this.modelName = config.model();
        this.model = OpenAiChatModel.builder()
                .baseUrl(config.baseUrl())
                .apiKey(config.apiKey().orElseThrow())
                .modelName(config.model())
                .timeout(config.timeout())
                .maxRetries(0)
                .build();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public Completion complete(ChatCall call) {
        ChatRequest.Builder request = ChatRequest.builder().messages(messages(call)).maxOutputTokens(call.maxTokens());
        if (call.temperature() != null) {
            request.temperature(call.temperature());
        }
        ChatResponse response = model.chat(request.build());
        TokenUsage usage = response.tokenUsage();
        return new Completion(name, response.modelName() == null ? modelName : response.modelName(),
                response.aiMessage().text(), wire(response.finishReason()),
                usage == null || usage.inputTokenCount() == null ? Tokens.estimate(call.messages()) : usage.inputTokenCount(),
                usage == null || usage.outputTokenCount() == null ? Tokens.estimate(response.aiMessage().text())
                        : usage.outputTokenCount());
    }

    private static List<ChatMessage> messages(ChatCall call) {
        List<ChatMessage> messages = new ArrayList<>();
        for (ChatCall.Message message : call.messages()) {
            messages.add(switch (message.role()) {
                case "system", "developer" -> SystemMessage.from(message.content());
                case "assistant" -> AiMessage.from(message.content());
                default -> UserMessage.from(message.content());
            });
        }
        return messages;
    }

    /** langchain4j's finish reason back to OpenAI's wire value. */
    private static String wire(FinishReason reason) {
        if (reason == null) {
            return "stop";
        }
        return switch (reason) {
            case LENGTH -> "length";
            case CONTENT_FILTER -> "content_filter";
            case TOOL_EXECUTION -> "tool_calls";
            default -> "stop";
        };
    }
}
