package dev.tollgate.common.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanBuilder;
import io.opentelemetry.api.trace.StatusCode;
import io.smallrye.mutiny.Uni;
import java.util.function.Function;
import java.util.function.Supplier;

/** A span around asynchronous work, for the steps of a request no library traces by itself. */
public final class Spans {

    /** The attribute naming the class of the error a span ended with (OpenTelemetry's {@code error.type}). */
    public static final String ERROR_TYPE = "error.type";

    private Spans() {
    }

    /**
     * Starts a span as {@code builder} says (a child of the current one) when the answer is subscribed to, hands it
     * to {@code work} (to note what it learns), and ends it when the answer comes, fails (an error span naming the
     * error's class; its message, which may quote a provider's answer, stays out) or is cancelled. Each
     * subscription, a retry's included, is a span of its own. What the work calls (Redis, HTTP) is traced by its
     * client beside this span, under the request's.
     */
    public static <T> Uni<T> around(Supplier<SpanBuilder> builder, Function<Span, Uni<T>> work) {
        return Uni.createFrom().deferred(() -> {
            Span span = builder.get().startSpan();
            Uni<T> answer;
            try {
                answer = work.apply(span);
                if (answer == null) {
                    throw new NullPointerException("the traced work answered null");
                }
            } catch (Throwable e) {
                failed(span, e);
                return Uni.createFrom().failure(e);
            }
            return answer.onItemOrFailure().invoke((item, failure) -> {
                if (failure != null) {
                    failed(span, failure);
                } else {
                    span.end();
                }
            }).onCancellation().invoke(() -> {
                span.setAttribute("tollgate.cancelled", true);
                span.end();
            });
        });
    }

    private static void failed(Span span, Throwable failure) {
        span.setStatus(StatusCode.ERROR);
        span.setAttribute(ERROR_TYPE, failure.getClass().getName());
        span.end();
    }
}
