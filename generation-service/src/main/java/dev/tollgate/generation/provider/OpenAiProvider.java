package dev.tollgate.generation.provider;

import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ResponseFormat;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import dev.tollgate.generation.config.GenerationConfig;
import io.micrometer.core.instrument.Counter;
import io.smallrye.mutiny.Multi;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * An OpenAI-compatible provider through langchain4j's OpenAI client (in Quarkus, its REST client). One attempt
 * per call: retries and fallback are the gateway's, not the client's.
 */
public final class OpenAiProvider implements ChatProvider {

    private final String name;
    private final String modelName;
    private final ChatModel model;
    private final StreamingChatModel streaming;
    private final Counter cancellations;

    public OpenAiProvider(String name, GenerationConfig.Provider config, Counter cancellations) {
        this.name = name;
        this.cancellations = cancellations;
        this.modelName = config.model();
        this.model = OpenAiChatModel.builder()
                .baseUrl(config.baseUrl())
                .apiKey(config.apiKey().orElseThrow())
                .modelName(config.model())
                .timeout(config.timeout())
                .maxRetries(0)
                .build();
        this.streaming = OpenAiStreamingChatModel.builder()
                .baseUrl(config.baseUrl())
                .apiKey(config.apiKey().orElseThrow())
                .modelName(config.model())
                .timeout(config.timeout())
                .build();
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
    public Completion complete(ChatCall call) {
        return completion(call, model.chat(request(call)));
    }

    /**
     * The answer piece by piece. A subscriber that cancels (the stream cut at its longest duration, a timeout)
     * cancels the provider's stream too, so that it is not read, and paid, to its end.
     */
    @Override
    public Multi<ChatChunk> stream(ChatCall call) {
        // the handler is called on the HTTP client's event loop: nothing in it blocks
        return Multi.createFrom().emitter(emitter -> {
            AtomicBoolean ended = new AtomicBoolean();
            AtomicBoolean cancelled = new AtomicBoolean();
            AtomicReference<StreamingHandle> handle = new AtomicReference<>();
            emitter.onTermination(() -> {
                if (!ended.get() && cancelled.compareAndSet(false, true)) {
                    StreamingHandle provider = handle.get();
                    if (provider != null) {
                        provider.cancel();
                    }
                    cancellations.increment();
                }
            });
            streaming.chat(request(call), new StreamingChatResponseHandler() {
                @Override
                public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
                    handle.set(context.streamingHandle());
                    if (cancelled.get()) {
                        context.streamingHandle().cancel(); // cancelled before its first piece
                        return;
                    }
                    String text = partial.text();
                    if (text != null && !text.isEmpty()) {
                        emitter.emit(new ChatChunk.Text(text));
                    }
                }

                @Override
                public void onCompleteResponse(ChatResponse response) {
                    ended.set(true);
                    if (response.finishReason() == null) {
                        emitter.fail(new StreamInterrupted("the provider ended the stream without a finish reason", null));
                        return;
                    }
                    emitter.emit(new ChatChunk.Done(completion(call, response)));
                    emitter.complete();
                }

                @Override
                public void onError(Throwable error) {
                    ended.set(true);
                    emitter.fail(error);
                }
            });
        });
    }

    private static ChatRequest request(ChatCall call) {
        ChatRequest.Builder request = ChatRequest.builder().messages(messages(call)).maxOutputTokens(call.maxTokens());
        if (call.temperature() != null) {
            request.temperature(call.temperature());
        }
        if (call.outputSchema() != null) {
            request.responseFormat(ResponseFormat.JSON); // the schema itself is in the prompt; the answer is checked
        }
        return request.build();
    }

    /** The answer with the usage the provider reported, estimated where it reported none. */
    private Completion completion(ChatCall call, ChatResponse response) {
        String text = response.aiMessage().text() == null ? "" : response.aiMessage().text();
        TokenUsage usage = response.tokenUsage();
        return new Completion(name, response.modelName() == null ? modelName : response.modelName(),
                text, wire(response.finishReason()),
                usage == null || usage.inputTokenCount() == null ? Tokens.estimate(call.messages()) : usage.inputTokenCount(),
                usage == null || usage.outputTokenCount() == null ? Tokens.estimate(text) : usage.outputTokenCount());
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
