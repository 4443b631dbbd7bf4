package dev.tollgate.common.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.trace.data.LinkData;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.opentelemetry.sdk.trace.samplers.SamplingResult;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;

/**
 * What is traced: requests and events, the share {@code tollgate.traces.ratio} says (a trace begun elsewhere in the
 * suite as its beginning was), but not the statements housekeeping runs on its own. A database or Redis call outside any
 * request or event (the outbox
 * relay's poll, a scheduled clean-up, a lease check) would otherwise be a trace of one span, several a second per
 * service, burying the requests in the trace viewer and the collector's bill. Quarkus takes this sampler instead of
 * the one {@code quarkus.otel.traces.sampler} names (fixed at build time).
 */
@ApplicationScoped
public class TraceSampler implements Sampler {

    private static final AttributeKey<String> DB_SYSTEM = AttributeKey.stringKey("db.system");
    private static final AttributeKey<String> DB_SYSTEM_NAME = AttributeKey.stringKey("db.system.name");

    private final Sampler configured;

    public TraceSampler(TraceConfig config) {
        this.configured = Sampler.parentBased(Sampler.traceIdRatioBased(config.ratio()));
    }

    @Override
    public SamplingResult shouldSample(Context parentContext, String traceId, String name, SpanKind spanKind,
            Attributes attributes, List<LinkData> parentLinks) {
        if (spanKind == SpanKind.CLIENT && !Span.fromContext(parentContext).getSpanContext().isValid()
                && (attributes.get(DB_SYSTEM) != null || attributes.get(DB_SYSTEM_NAME) != null)) {
            return SamplingResult.drop();
        }
        return configured.shouldSample(parentContext, traceId, name, spanKind, attributes, parentLinks);
    }

    @Override
    public String getDescription() {
        return "TraceSampler{no housekeeping statements, then " + configured.getDescription() + "}";
    }
}
