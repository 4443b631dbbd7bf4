package dev.tollgate.common.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SpansTest {

    private final List<SpanData> ended = new CopyOnWriteArrayList<>();
    private final Tracer tracer = SdkTracerProvider.builder()
            .addSpanProcessor(SimpleSpanProcessor.create(new SpanExporter() {
                @Override
                public CompletableResultCode export(Collection<SpanData> spans) {
                    ended.addAll(spans);
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode flush() {
                    return CompletableResultCode.ofSuccess();
                }

                @Override
                public CompletableResultCode shutdown() {
                    return CompletableResultCode.ofSuccess();
                }
            })).build().get("test");

    @Test
    void anAnswerEndsItsSpanWithWhatTheWorkNoted() {
        String answer = Spans.around(() -> tracer.spanBuilder("work"),
                span -> Uni.createFrom().item("done").invoke(item -> span.setAttribute("noted", item)))
                .await().indefinitely();
        assertEquals("done", answer);
        assertEquals(1, ended.size());
        assertEquals("done", ended.get(0).getAttributes().get(AttributeKey.stringKey("noted")));
        assertEquals(StatusCode.UNSET, ended.get(0).getStatus().getStatusCode());
    }

    @Test
    void aFailureIsAnErrorSpanNamingItsClassButNotItsMessage() {
        Uni<String> failing = Spans.around(() -> tracer.spanBuilder("work"),
                span -> Uni.createFrom().failure(new TimeoutException("the provider said: secret detail")));
        assertThrows(RuntimeException.class, () -> failing.await().indefinitely());
        SpanData span = ended.get(0);
        assertEquals(StatusCode.ERROR, span.getStatus().getStatusCode());
        assertEquals("", span.getStatus().getDescription());
        assertEquals(TimeoutException.class.getName(),
                span.getAttributes().get(AttributeKey.stringKey(Spans.ERROR_TYPE)));
    }

    @Test
    void workThatThrowsOrAnswersNothingFailsAndEndsItsSpan() {
        Uni<String> throwing = Spans.around(() -> tracer.spanBuilder("work"), span -> {
            throw new IllegalStateException("at once");
        });
        assertThrows(IllegalStateException.class, () -> throwing.await().indefinitely());
        Uni<String> nothing = Spans.around(() -> tracer.spanBuilder("work"), span -> null);
        assertThrows(NullPointerException.class, () -> nothing.await().indefinitely());
        assertEquals(2, ended.size());
        assertTrue(ended.stream().allMatch(span -> span.getStatus().getStatusCode() == StatusCode.ERROR));
    }

    @Test
    void aCancelledAnswerEndsItsSpanAndEachRetryIsASpanOfItsOwn() {
        Uni<String> slow = Spans.around(() -> tracer.spanBuilder("slow"), span -> Uni.createFrom().nothing());
        assertThrows(RuntimeException.class, () -> slow.ifNoItem().after(Duration.ofMillis(50)).fail()
                .await().indefinitely());
        assertEquals(Boolean.TRUE, ended.get(0).getAttributes().get(AttributeKey.booleanKey("tollgate.cancelled")));

        AtomicInteger tries = new AtomicInteger();
        String answer = Spans.around(() -> tracer.spanBuilder("flaky"), span -> tries.incrementAndGet() < 3
                ? Uni.createFrom().<String> failure(new IllegalStateException("again"))
                : Uni.createFrom().item("third time"))
                .onFailure().retry().atMost(5).await().indefinitely();
        assertEquals("third time", answer);
        assertEquals(3, ended.stream().filter(span -> span.getName().equals("flaky")).count());
    }
}
