package dev.tollgate.devstack;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Collections;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import java.util.regex.Pattern;

/**
 * The local run's one front door: a reverse proxy (Vert.x) that sends each path to the service that owns it, so a
 * user and the README's walkthrough use a single port. Bodies and server-sent events stream through unbuffered.
 * A path no service owns, or an internal endpoint ({@code /<prefix>/internal/...}, for the services only), is a 404
 * problem; a service that does not answer is a 502. {@code X-Forwarded-For} is the connection's address, never what
 * the client wrote.
 */
public final class Gateway implements AutoCloseable {

    /** The port the local run prefers. */
    public static final int LOCAL_PORT = 8080;

    /** The most bytes of a webhook body passed on. */
    static final long MOST_WEBHOOK_BODY = 256 * 1024;

    /** Path prefix to the service that owns it, first match wins. */
    public static final Map<String, String> ROUTES = routes();

    private static final Logger LOG = Logger.getLogger(Gateway.class.getName());
    private static final String REQUEST_ID = "X-Request-Id";
    /** The request ids the services take from a caller (common's RequestIds); others are replaced. */
    private static final Pattern PLAIN_REQUEST_ID = Pattern.compile("[A-Za-z0-9._:-]{1,128}");

    private final Vertx vertx;
    private final HttpServer server;

    private Gateway(Vertx vertx, HttpServer server) {
        this.vertx = vertx;
        this.server = server;
    }

    /** Starts on {@code port}, routing to the services' ports by name ({@code auth}, {@code billing}, ...). */
    public static Gateway start(int port, Map<String, Integer> servicePorts) {
        Vertx vertx = Vertx.vertx();
        HttpClient client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true),
                new PoolOptions().setHttp1MaxSize(100));
        Map<String, HttpProxy> proxies = new LinkedHashMap<>();
        servicePorts.forEach((name, servicePort) -> proxies.put(name,
                HttpProxy.reverseProxy(client).origin(servicePort, "127.0.0.1").addInterceptor(new ClientIsThePeer())));
        try {
            HttpServer server = vertx.createHttpServer()
                    .requestHandler(request -> route(request, proxies))
                    .listen(port, "127.0.0.1")
                    .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
            LOG.info(() -> "gateway on http://localhost:" + server.actualPort());
            return new Gateway(vertx, server);
        } catch (Exception e) {
            vertx.close();
            throw new IllegalStateException("the gateway could not listen on port " + port + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return server.actualPort();
    }

    /** The service that owns {@code path}, or null. */
    public static String serviceOf(String path) {
        return ROUTES.entrySet().stream()
                .filter(route -> path.equals(route.getKey()) || path.startsWith(route.getKey() + "/"))
                .map(Map.Entry::getValue).findFirst().orElse(null);
    }

    /**
     * Whether {@code rawPath} names an internal endpoint ({@code /auth/internal/...}, {@code /usage/internal/...}):
     * those answer other Tollgate services only, so the front door never passes them on. The path is read as a
     * service would read it: percent-decoded, empty and dot segments resolved, a segment's matrix parameters
     * ({@code internal;x}, which JAX-RS ignores when it matches a path) left out, and in any case.
     *
     * @throws IllegalArgumentException when the path is not valid percent-encoding
     */
    public static boolean internal(String rawPath) {
        Deque<String> segments = new ArrayDeque<>();
        String decoded = URLDecoder.decode(rawPath.replace("+", "%2B"), StandardCharsets.UTF_8);
        for (String spelled : decoded.split("/")) {
            int matrix = spelled.indexOf(';');
            String segment = matrix < 0 ? spelled : spelled.substring(0, matrix);
            if (segment.equals("..")) {
                segments.pollLast();
            } else if (!segment.isEmpty() && !segment.equals(".")) {
                segments.addLast(segment);
            }
        }
        return segments.size() >= 2 && segments.stream().skip(1).findFirst().orElse("").equalsIgnoreCase("internal");
    }

    private static void route(HttpServerRequest request, Map<String, HttpProxy> proxies) {
        boolean internal;
        try {
            internal = internal(request.path());
        } catch (IllegalArgumentException e) {
            problem(request, 400, "path-invalid", "Bad Request", "the path is not valid percent-encoding");
            return;
        }
        if (internal) {
            problem(request, 404, "not-found", "Not Found", "internal endpoints answer Tollgate's services only; "
                    + "the gateway does not pass on " + request.path());
            return;
        }
        String length = request.getHeader("Content-Length");
        if (request.path().startsWith("/billing/webhooks/") && length != null && length.length() < 19
                && length.chars().allMatch(Character::isDigit) && !length.isEmpty()
                && Long.parseLong(length) > MOST_WEBHOOK_BODY) {
            // Stripe's events are a few KiB: anyone may post here (billing-service caps it too, also when chunked)
            request.response().putHeader("Connection", "close");
            problem(request, 413, "body-too-large", "Payload Too Large", "a webhook body is at most 256 KiB");
            return;
        }
        String service = serviceOf(request.path());
        HttpProxy proxy = service == null ? null : proxies.get(service);
        if (proxy == null) {
            problem(request, 404, "not-found", "Not Found", "no Tollgate service serves " + request.path()
                    + "; the gateway routes " + String.join(", ", ROUTES.keySet()));
            return;
        }
        request.response().exceptionHandler(e -> LOG.fine(() -> "gateway: " + e.getMessage()));
        proxy.handle(request);
    }

    /**
     * The services learn the client from {@code X-Forwarded-For}, so the gateway sets it to the address the
     * connection came from, replacing whatever the client sent (and {@code Forwarded}, which it might also forge);
     * a client's trace context ({@code traceparent}, {@code tracestate}) is dropped.
     */
    private static final class ClientIsThePeer implements ProxyInterceptor {

        @Override
        public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
            HttpServerRequest incoming = context.request().proxiedRequest();
            String peer = incoming.remoteAddress() == null ? "unknown" : incoming.remoteAddress().hostAddress();
            context.request().headers().remove("Forwarded").remove("X-Forwarded-Host").remove("X-Forwarded-Proto")
                    // a trace begins here: no caller picks the trace id a request is recorded under, or whether
                    .remove("traceparent").remove("tracestate")
                    .set("X-Forwarded-For", peer);
            return context.sendRequest();
        }
    }

    /**
     * The gateway's own problems name a request id as the services' do: the caller's {@code X-Request-Id} when it is
     * a plain token, else a new one.
     */
    private static void problem(HttpServerRequest request, int status, String slug, String title, String detail) {
        String given = request.getHeader(REQUEST_ID);
        String id = given != null && PLAIN_REQUEST_ID.matcher(given).matches() ? given : UUID.randomUUID().toString();
        request.response().setStatusCode(status).putHeader("content-type", "application/problem+json")
                .putHeader(REQUEST_ID, id)
                .end(new JsonObject().put("type", "https://tollgate.dev/problems/" + slug).put("title", title)
                        .put("status", status).put("detail", detail).put("requestId", id).encode());
    }

    private static Map<String, String> routes() {
        Map<String, String> routes = new LinkedHashMap<>();
        routes.put("/auth", "auth");
        routes.put("/.well-known", "auth");
        routes.put("/billing", "billing");
        routes.put("/v1", "generation");
        routes.put("/generations", "generation");
        routes.put("/templates", "generation");
        routes.put("/usage", "metering");
        routes.put("/account", "account");
        return Collections.unmodifiableMap(routes);
    }

    @Override
    public void close() {
        vertx.close().toCompletionStage().toCompletableFuture().orTimeout(10, TimeUnit.SECONDS).join();
    }
}
