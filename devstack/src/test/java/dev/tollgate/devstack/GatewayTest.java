package dev.tollgate.devstack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The local run's gateway in front of two real HTTP servers standing for services, and one that is down. */
class GatewayTest {

    private static Vertx vertx;
    private static Gateway gateway;
    private static final HttpClient CLIENT = HttpClient.newHttpClient();

    @BeforeAll
    static void start() throws Exception {
        vertx = Vertx.vertx();
        HttpServer auth = vertx.createHttpServer()
                .requestHandler(request -> request.body()
                        .onSuccess(body -> request.response().putHeader("content-type", "text/plain")
                                .putHeader("x-seen-forwarded-for", String.valueOf(request.getHeader("X-Forwarded-For")))
                                .putHeader("x-seen-forwarded", String.valueOf(request.getHeader("Forwarded")))
                                .putHeader("x-seen-traceparent", String.valueOf(request.getHeader("traceparent")))
                                .putHeader("x-seen-tracestate", String.valueOf(request.getHeader("tracestate")))
                                .end("auth " + request.method() + " " + request.uri() + " " + body)))
                .listen(0, "127.0.0.1")
                .toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        // a service that streams server-sent events, a piece every 300 ms
        HttpServer metering = vertx.createHttpServer().requestHandler(request -> {
            request.response().setChunked(true).putHeader("content-type", "text/event-stream");
            request.response().write("data: one\n\n");
            vertx.setTimer(300, id -> request.response().write("data: two\n\n"));
            vertx.setTimer(600, id -> request.response().end("data: [DONE]\n\n"));
        }).listen(0, "127.0.0.1").toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        gateway = Gateway.start(0, Map.of("auth", auth.actualPort(), "metering", metering.actualPort(),
                "billing", FreePorts.pick()));
    }

    @AfterAll
    static void stop() {
        gateway.close();
        vertx.close();
    }

    @Test
    void eachPathReachesTheServiceThatOwnsIt() throws Exception {
        HttpResponse<String> token = send(HttpRequest.newBuilder(uri("/auth/token?x=1"))
                .POST(HttpRequest.BodyPublishers.ofString("grant_type=client_credentials")).build());
        assertEquals(200, token.statusCode());
        assertEquals("auth POST /auth/token?x=1 grant_type=client_credentials", token.body());
        assertEquals("auth GET /.well-known/jwks.json ", send(HttpRequest.newBuilder(uri("/.well-known/jwks.json"))
                .build()).body());
        assertEquals("auth", Gateway.serviceOf("/auth"));
        assertEquals("generation", Gateway.serviceOf("/v1/chat/completions"));
        assertEquals(null, Gateway.serviceOf("/v10/models"), "a prefix matches whole segments only");
    }

    @Test
    void theServicesSeeTheConnectionsAddressNotAForgedOne() throws Exception {
        HttpResponse<String> forged = send(HttpRequest.newBuilder(uri("/auth/magic-link"))
                .header("X-Forwarded-For", "6.6.6.6").header("Forwarded", "for=6.6.6.6")
                .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertEquals("127.0.0.1", forged.headers().firstValue("x-seen-forwarded-for").orElseThrow());
        assertEquals("null", forged.headers().firstValue("x-seen-forwarded").orElseThrow());
    }

    @Test
    void aCallersTraceContextStopsAtTheGateway() throws Exception {
        HttpResponse<String> traced = send(HttpRequest.newBuilder(uri("/auth/magic-link"))
                .header("traceparent", "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01")
                .header("TraceState", "vendor=value").POST(HttpRequest.BodyPublishers.ofString("{}")).build());
        assertEquals(200, traced.statusCode());
        assertEquals("null", traced.headers().firstValue("x-seen-traceparent").orElseThrow(),
                "no caller picks the trace a request is recorded under");
        assertEquals("null", traced.headers().firstValue("x-seen-tracestate").orElseThrow());
    }

    @Test
    void eventsStreamThroughAsTheyCome() throws Exception {
        long started = System.nanoTime();
        HttpResponse<Stream<String>> stream = CLIENT.send(HttpRequest.newBuilder(uri("/usage/events")).build(),
                HttpResponse.BodyHandlers.ofLines());
        Iterator<String> lines = stream.body().iterator();
        assertEquals("data: one", lines.next());
        long firstMillis = (System.nanoTime() - started) / 1_000_000;
        assertTrue(firstMillis < 600, "the first event arrived before the stream ended: " + firstMillis + " ms");
        StringBuilder rest = new StringBuilder();
        lines.forEachRemaining(line -> rest.append(line).append('|'));
        assertEquals("|data: two||data: [DONE]||", rest.toString());
    }

    @Test
    void aPathNoServiceOwnsIs404AndAServiceThatIsDownIs502() throws Exception {
        HttpResponse<String> unknown = send(HttpRequest.newBuilder(uri("/nowhere")).build());
        assertEquals(404, unknown.statusCode());
        assertEquals("application/problem+json", unknown.headers().firstValue("content-type").orElse(""));
        assertTrue(unknown.body().contains("no Tollgate service serves /nowhere"), unknown.body());
        String id = unknown.headers().firstValue("X-Request-Id").orElseThrow();
        assertTrue(unknown.body().contains("\"requestId\":\"" + id + "\""), "the problem names its request id: " + id);
        HttpResponse<String> quoted = send(HttpRequest.newBuilder(uri("/nowhere")).header("X-Request-Id", "ticket-42")
                .build());
        assertEquals("ticket-42", quoted.headers().firstValue("X-Request-Id").orElse(""));
        assertTrue(quoted.body().contains("\"requestId\":\"ticket-42\""), quoted.body());
        HttpResponse<String> forged = send(HttpRequest.newBuilder(uri("/nowhere"))
                .header("X-Request-Id", "a\",\"x\":\"b").build());
        JsonObject replaced = new JsonObject(forged.body());
        assertEquals(forged.headers().firstValue("X-Request-Id").orElseThrow(), replaced.getString("requestId"),
                "an id that is no plain token is replaced: " + forged.body());
        assertTrue(!replaced.containsKey("x"), forged.body());
        assertEquals("no Tollgate service serves /nowhere; the gateway routes " + String.join(", ", Gateway.ROUTES.keySet()),
                replaced.getString("detail"), "the detail is the gateway's own words, as JSON");
        assertEquals(502, send(HttpRequest.newBuilder(uri("/billing/plans")).build()).statusCode());
    }

    @Test
    void internalEndpointsAreNotPassedOnHoweverTheyAreWritten() throws Exception {
        for (String path : new String[] { "/auth/internal/users/1/export", "/auth//internal/api-keys/verify",
                "/auth/x/../internal/tenants/1/contacts", "/auth/%69nternal/users/1/contact", "/auth/internal",
                "/auth/internal;x/api-keys/verify", "/auth;v=1/internal/users/1/export", "/auth/Internal/api-keys/verify",
                "/auth/internal%3Bx/api-keys/verify" }) {
            HttpResponse<String> answer = send(HttpRequest.newBuilder(uri(path)).build());
            assertEquals(404, answer.statusCode(), path);
            assertTrue(answer.body().contains("internal endpoints answer Tollgate's services only"), answer.body());
        }
        String large = declaringALength("/billing/webhooks/stripe", 300 * 1024);
        assertTrue(large.startsWith("HTTP/1.1 413"), "a webhook body past 256 KiB is not passed on: " + large);
        assertTrue(large.contains("body-too-large"), large);
        assertEquals(200, send(HttpRequest.newBuilder(uri("/auth/internals")).build()).statusCode(),
                "only the internal segment itself is held back");
        assertTrue(Gateway.internal("/usage/internal/users/1/export"));
        assertTrue(!Gateway.internal("/internal/usage"), "a top-level path is no service's internal endpoint");
        assertThrows(IllegalArgumentException.class, () -> Gateway.internal("/auth/%zz"),
                "a path that is no valid percent-encoding is refused (400), not guessed at");
    }

    /** The gateway's answer, head and body, to a POST whose head declares {@code length} bytes, none sent. */
    private static String declaringALength(String path, long length) throws Exception {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", gateway.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: " + length
                    + "\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(
                    socket.getInputStream(), java.nio.charset.StandardCharsets.UTF_8));
            StringBuilder answer = new StringBuilder();
            int bodyLength = 0;
            for (String line = in.readLine(); line != null && !line.isEmpty(); line = in.readLine()) {
                answer.append(line).append('\n');
                if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                    bodyLength = Integer.parseInt(line.substring(15).trim());
                }
            }
            char[] body = new char[bodyLength];
            int read = 0;
            while (read < bodyLength) {
                int n = in.read(body, read, bodyLength - read);
                if (n < 0) {
                    break;
                }
                read += n;
            }
            return answer.append('\n').append(body, 0, read).toString();
        }
    }

    private static URI uri(String path) {
        return URI.create("http://127.0.0.1:" + gateway.port() + path);
    }

    private static HttpResponse<String> send(HttpRequest request) throws Exception {
        return CLIENT.send(request, HttpResponse.BodyHandlers.ofString());
    }
}
