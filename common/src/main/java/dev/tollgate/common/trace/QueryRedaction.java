package dev.tollgate.common.trace;

import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.context.Context;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.trace.ReadWriteSpan;
import io.opentelemetry.sdk.trace.ReadableSpan;
import io.opentelemetry.sdk.trace.SpanProcessor;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Keeps query strings' values off the spans: a sign-in link's token ({@code /auth/magic-link/confirm?token=...}) or
 * any other value a URL carries would otherwise reach whoever reads the traces. The names stay
 * ({@code token=REDACTED}), so a span still says which parameters a request had; a parameter without {@code =} is
 * taken for a value.
 */
@ApplicationScoped
public class QueryRedaction implements SpanProcessor {

    static final AttributeKey<String> QUERY = AttributeKey.stringKey("url.query");
    static final AttributeKey<String> FULL = AttributeKey.stringKey("url.full");
    static final String REDACTED = "REDACTED";

    @Override
    public void onStart(Context parentContext, ReadWriteSpan span) {
        String query = span.getAttribute(QUERY);
        if (query != null) {
            span.setAttribute(QUERY, redact(query));
        }
        String full = span.getAttribute(FULL);
        int mark = full == null ? -1 : full.indexOf('?');
        if (mark >= 0) {
            int fragment = full.indexOf('#', mark);
            String rest = fragment < 0 ? "" : full.substring(fragment);
            span.setAttribute(FULL, full.substring(0, mark + 1)
                    + redact(full.substring(mark + 1, fragment < 0 ? full.length() : fragment)) + rest);
        }
    }

    /** {@code a=1&b&c=x} as {@code a=REDACTED&REDACTED&c=REDACTED}. */
    static String redact(String query) {
        StringBuilder redacted = new StringBuilder(query.length());
        String[] parameters = query.split("&", -1);
        for (int i = 0; i < parameters.length; i++) {
            String parameter = parameters[i];
            if (i > 0) {
                redacted.append('&');
            }
            int equals = parameter.indexOf('=');
            // a parameter without a name (?<value>) is all value
            redacted.append(equals < 0 ? (parameter.isEmpty() ? "" : REDACTED)
                    : parameter.substring(0, equals + 1) + REDACTED);
        }
        return redacted.toString();
    }

    @Override
    public boolean isStartRequired() {
        return true;
    }

    @Override
    public void onEnd(ReadableSpan span) {
    }

    @Override
    public boolean isEndRequired() {
        return false;
    }

    @Override
    public CompletableResultCode shutdown() {
        return CompletableResultCode.ofSuccess();
    }
}
