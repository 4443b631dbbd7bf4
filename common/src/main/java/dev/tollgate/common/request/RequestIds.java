package dev.tollgate.common.request;

import io.opentelemetry.api.trace.Span;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.UUID;
import java.util.regex.Pattern;
import org.jboss.logging.MDC;

/**
 * Gives every HTTP request an id that a user can quote to support and an operator can find: the caller's
 * {@code X-Request-Id} when it is a plain token (letters, digits, {@code . _ : -}, at most 128), else a new UUID.
 * It is returned on the answer as {@code X-Request-Id}, named in every problem answer ({@code requestId}), and
 * kept in the logging context ({@code requestId}), so each log line of the request carries it, and set on the
 * request's span ({@code tollgate.request.id}) when it is traced.
 */
@ApplicationScoped
public class RequestIds {

    public static final String HEADER = "X-Request-Id";
    /** The key in the logging context (MDC) and the problem answers' property. */
    public static final String KEY = "requestId";
    /** The attribute of the request's server span (when traced) that holds the id. */
    public static final String SPAN_ATTRIBUTE = "tollgate.request.id";
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
    /** Before everything else the application routes, so that every answer carries the id. */
    private static final int ORDER = Integer.MIN_VALUE + 100;

    void route(@Observes Router router) {
        router.route().order(ORDER).handler(RequestIds::identify);
    }

    static void identify(RoutingContext request) {
        String given = request.request().getHeader(HEADER);
        String id = given != null && PLAIN.matcher(given).matches() ? given : UUID.randomUUID().toString();
        request.put(KEY, id);
        MDC.put(KEY, id);
        Span.current().setAttribute(SPAN_ATTRIBUTE, id);
        request.response().headers().set(HEADER, id);
        request.next();
    }

    /** The id of the request being served, or null outside one. */
    public static String current() {
        Object id = MDC.get(KEY);
        return id == null ? null : id.toString();
    }
}
