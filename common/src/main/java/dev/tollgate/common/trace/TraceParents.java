package dev.tollgate.common.trace;

import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapGetter;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * A trace carried through a table: what is written in one request and acted on later (an outbox row) keeps the
 * request's trace as a W3C {@code traceparent}, and the later work continues that trace.
 */
public final class TraceParents {

    private static final String KEY = "traceparent";
    private static final TextMapGetter<String> ONE = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(String carrier) {
            return List.of(KEY);
        }

        @Override
        public String get(String carrier, String key) {
            return KEY.equals(key) ? carrier : null;
        }
    };

    private TraceParents() {
    }

    /** The current span as a {@code traceparent}, or null when nothing is traced (tracing off, or no span). */
    public static String current() {
        if (!Span.current().getSpanContext().isValid()) {
            return null;
        }
        Map<String, String> carrier = new HashMap<>(2);
        W3CTraceContextPropagator.getInstance().inject(Context.current(), carrier, Map::put);
        return carrier.get(KEY);
    }

    /** The context {@code traceParent} names, to start spans in; the root context when it is null or unreadable. */
    public static Context context(String traceParent) {
        if (traceParent == null) {
            return Context.root();
        }
        return W3CTraceContextPropagator.getInstance().extract(Context.root(), traceParent, ONE);
    }
}
