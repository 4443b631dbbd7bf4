package dev.tollgate.generation.provider;

import dev.tollgate.common.trace.Spans;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * Each attempt at a provider is a client span named as OpenTelemetry's GenAI conventions name it ({@code chat
 * <model>}), with the provider, the model asked for and the one that answered, the token limit, the tokens the
 * provider counted and why it stopped; a failed attempt is an error span naming the error.
 */
@ApplicationScoped
public class ProviderSpans {

    static final AttributeKey<String> OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> PROVIDER = AttributeKey.stringKey("gen_ai.provider.name");
    static final AttributeKey<String> REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<Long> MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
    static final AttributeKey<Double> TEMPERATURE = AttributeKey.doubleKey("gen_ai.request.temperature");
    static final AttributeKey<String> RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    static final AttributeKey<List<String>> FINISH_REASONS = AttributeKey
            .stringArrayKey("gen_ai.response.finish_reasons");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<Boolean> STREAMED = AttributeKey.booleanKey("tollgate.provider.streamed");

    private final Tracer tracer;

    public ProviderSpans(Tracer tracer) {
        this.tracer = tracer;
    }

    /** {@code attempt} (one embeddings call to {@code provider}) in a span of its own. */
    Uni<Completion> embeddings(ChatProvider provider, Uni<Completion> attempt) {
        return Spans.around(() -> tracer.spanBuilder("embeddings " + provider.model()).setSpanKind(SpanKind.CLIENT)
                .setAttribute(OPERATION, "embeddings")
                .setAttribute(PROVIDER, provider.name())
                .setAttribute(REQUEST_MODEL, provider.model()),
                span -> attempt.invoke(answer -> {
                    span.setAttribute(RESPONSE_MODEL, answer.model());
                    span.setAttribute(INPUT_TOKENS, answer.inputTokens());
                }));
    }

    /** {@code attempt} (one call to {@code provider}) in a span of its own, each time it is subscribed to. */
    Uni<Completion> chat(ChatProvider provider, ChatCall call, boolean streamed, Uni<Completion> attempt) {
        return Spans.around(() -> {
            var span = tracer.spanBuilder("chat " + provider.model()).setSpanKind(SpanKind.CLIENT)
                    .setAttribute(OPERATION, "chat")
                    .setAttribute(PROVIDER, provider.name())
                    .setAttribute(REQUEST_MODEL, provider.model())
                    .setAttribute(MAX_TOKENS, (long) call.maxTokens())
                    .setAttribute(STREAMED, streamed);
            if (call.temperature() != null) {
                span.setAttribute(TEMPERATURE, call.temperature());
            }
            return span;
        }, span -> attempt.invoke(answer -> {
            span.setAttribute(RESPONSE_MODEL, answer.model());
            span.setAttribute(INPUT_TOKENS, answer.inputTokens());
            span.setAttribute(OUTPUT_TOKENS, answer.outputTokens());
            if (answer.finishReason() != null) {
                span.setAttribute(FINISH_REASONS, List.of(answer.finishReason()));
            }
        }));
    }
}
