package dev.tollgate.common.trace;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanContext;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.TraceFlags;
import io.opentelemetry.api.trace.TraceState;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.samplers.SamplingDecision;
import java.util.List;
import org.junit.jupiter.api.Test;

class TraceSamplerTest {

    private static final String TRACE = "0af7651916cd43dd8448eb211c80319c";
    private static final Attributes STATEMENT = Attributes.builder().put("db.system", "postgresql")
            .put("db.statement", "select 1").build();

    private final TraceSampler sampler = new TraceSampler(() -> 1.0);

    @Test
    void aStatementOutsideAnyRequestIsNotTraced() {
        assertEquals(SamplingDecision.DROP, decide(Context.root(), SpanKind.CLIENT, STATEMENT));
        assertEquals(SamplingDecision.DROP, decide(Context.root(), SpanKind.CLIENT,
                Attributes.builder().put("db.system.name", "redis").build()));
    }

    @Test
    void aStatementOfARequestIsTracedWithIt() {
        Context request = Context.root().with(Span.wrap(SpanContext.create(TRACE, "b7ad6b7169203331",
                TraceFlags.getSampled(), TraceState.getDefault())));
        assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(request, SpanKind.CLIENT, STATEMENT));
    }

    @Test
    void requestsEventsAndCallsBeginTracesAsTheConfiguredSamplerSays() {
        assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(Context.root(), SpanKind.SERVER, Attributes.empty()));
        assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(Context.root(), SpanKind.CONSUMER, Attributes.empty()));
        assertEquals(SamplingDecision.RECORD_AND_SAMPLE, decide(Context.root(), SpanKind.CLIENT,
                Attributes.builder().put("http.request.method", "POST").build()));
        TraceSampler none = new TraceSampler(() -> 0.0);
        assertEquals(SamplingDecision.DROP, none.shouldSample(Context.root(), TRACE, "GET /", SpanKind.SERVER,
                Attributes.empty(), List.of()).getDecision());
        Context sampledElsewhere = Context.root().with(Span.wrap(SpanContext.createFromRemoteParent(TRACE,
                "b7ad6b7169203331", TraceFlags.getSampled(), TraceState.getDefault())));
        assertEquals(SamplingDecision.RECORD_AND_SAMPLE, none.shouldSample(sampledElsewhere, TRACE, "POST /",
                SpanKind.SERVER, Attributes.empty(), List.of()).getDecision(),
                "a trace begun by another service is recorded whole");
    }

    private SamplingDecision decide(Context parent, SpanKind kind, Attributes attributes) {
        return sampler.shouldSample(parent, TRACE, "span", kind, attributes, List.of()).getDecision();
    }
}
