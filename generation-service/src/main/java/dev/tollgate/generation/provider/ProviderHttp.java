package dev.tollgate.generation.provider;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.micrometer.core.instrument.Counter;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.subscription.MultiEmitter;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.parsetools.RecordParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A provider's HTTP API as the gateway calls it: a JSON request whose answer is read whole, or whose server-sent
 * events are read a line at a time. A call its caller stops waiting for (the guard's timeout, a stream cut at its
 * longest, a cancelled subscriber) resets the request, so that the provider stops generating, and charging for, an
 * answer nobody reads. One attempt per call: retries and fallback are the gateway's ({@link ProviderGuards}).
 */
public final class ProviderHttp {

    /** An error answer as the exception the guard classifies ({@link ProviderFailure}). */
    public interface Refusal {
        RuntimeException of(int status, MultiMap headers, String body);
    }

    /** What a provider's stream says, one event's data at a time. */
    public interface Events {

        /** The piece or the end ({@link ChatChunk.Done}) that one event's data carries, or null for neither. */
        ChatChunk read(String data) throws IOException;

        /** The provider closed the stream without an explicit end: the end, or a failure when it is incomplete. */
        ChatChunk.Done closed();
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    /** The most of an error answer kept (its message may reach the caller). */
    private static final int MOST_ERROR_BODY = 4000;
    /** The longest line of a stream read (a chunk with many choices and their logprobs fits many times). */
    private static final int LONGEST_LINE = 4 * 1024 * 1024;

    private final String provider;
    private final HttpClient http;
    private final Map<String, String> headers;
    private final Duration timeout;
    private final Refusal refusal;
    private final Counter cancellations;

    /**
     * @param provider the provider's configured name, for messages
     * @param headers what every request carries besides its content type (the provider's credentials, its version)
     * @param timeout how long no byte may arrive before the attempt fails
     * @param cancellations counted when a stream is stopped before its end
     */
    public ProviderHttp(String provider, HttpClient http, Map<String, String> headers, Duration timeout,
            Refusal refusal, Counter cancellations) {
        this.provider = provider;
        this.http = http;
        this.headers = Map.copyOf(headers);
        this.timeout = timeout;
        this.refusal = refusal;
        this.cancellations = cancellations;
    }

    /** {@code document} posted to {@code url}; the answer's body when it is a 200, its {@link Refusal} otherwise. */
    public Uni<Buffer> post(String url, JsonNode document) {
        Buffer body = Buffer.buffer(bytes(document));
        return Uni.createFrom().emitter(emitter -> {
            AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
            AtomicBoolean ended = new AtomicBoolean();
            emitter.onTermination(() -> {
                HttpClientRequest request = sent.get();
                if (!ended.get() && request != null) {
                    request.reset(); // the caller stopped waiting (the guard's timeout): the provider stops too
                }
            });
            http.request(options(url)).compose(request -> {
                sent.set(request);
                return request.send(body);
            }).compose(response -> response.body().map(answer -> {
                ended.set(true);
                if (response.statusCode() != 200) {
                    throw refused(response.statusCode(), response.headers(), answer);
                }
                return answer;
            })).onComplete(result -> {
                ended.set(true);
                if (result.succeeded()) {
                    emitter.complete(result.result());
                } else {
                    emitter.fail(result.cause());
                }
            });
        });
    }

    /**
     * {@code document} posted to {@code url}, its server-sent events read by {@code events}: the pieces as they
     * come, then one {@link ChatChunk.Done}. A subscriber that cancels resets the provider's request.
     */
    public Multi<ChatChunk> stream(String url, JsonNode document, Events events) {
        Buffer body = Buffer.buffer(bytes(document));
        return Multi.createFrom().emitter(emitter -> {
            AtomicReference<HttpClientRequest> sent = new AtomicReference<>();
            AtomicBoolean ended = new AtomicBoolean();
            emitter.onTermination(() -> {
                HttpClientRequest request = sent.get();
                if (ended.compareAndSet(false, true)) {
                    if (request != null) {
                        request.reset();
                    }
                    cancellations.increment();
                }
            });
            http.request(options(url)).compose(request -> {
                sent.set(request);
                return request.send(body);
            }).onSuccess(response -> {
                if (response.statusCode() != 200) {
                    response.body().onComplete(answer -> {
                        ended.set(true);
                        emitter.fail(refused(response.statusCode(), response.headers(),
                                answer.succeeded() ? answer.result() : Buffer.buffer()));
                    });
                    return;
                }
                read(response, events, emitter, ended);
            }).onFailure(failure -> {
                ended.set(true);
                emitter.fail(failure);
            });
        });
    }

    /** Reads the server-sent events a line at a time: each {@code data:} line to {@code events}. */
    private void read(HttpClientResponse response, Events events, MultiEmitter<? super ChatChunk> emitter,
            AtomicBoolean ended) {
        RecordParser lines = RecordParser.newDelimited("\n", response).maxRecordSize(LONGEST_LINE);
        lines.exceptionHandler(failure -> {
            if (ended.compareAndSet(false, true)) {
                emitter.fail(failure);
            }
        });
        lines.handler(line -> {
            if (ended.get()) {
                return;
            }
            String text = line.toString(StandardCharsets.UTF_8).strip();
            if (!text.startsWith("data:")) {
                return; // blank lines between events, comments (": keep-alive"), event names
            }
            try {
                ChatChunk chunk = events.read(text.substring(5).strip());
                if (chunk instanceof ChatChunk.Done done) {
                    end(emitter, ended, () -> done);
                } else if (chunk != null) {
                    emitter.emit(chunk);
                }
            } catch (IOException | RuntimeException e) {
                if (ended.compareAndSet(false, true)) {
                    emitter.fail(e instanceof IOException ? new MalformedAnswer("a chunk of " + provider
                            + "'s stream is not JSON") : e);
                }
            }
        });
        lines.endHandler(ignored -> end(emitter, ended, events::closed));
    }

    private static void end(MultiEmitter<? super ChatChunk> emitter, AtomicBoolean ended,
            java.util.function.Supplier<ChatChunk.Done> last) {
        if (!ended.compareAndSet(false, true)) {
            return;
        }
        try {
            emitter.emit(last.get());
            emitter.complete();
        } catch (RuntimeException e) {
            emitter.fail(e);
        }
    }

    /** The body of a 200 as JSON. */
    public JsonNode parsed(Buffer body) {
        try {
            return JSON.readTree(body.getBytes());
        } catch (IOException e) {
            throw new MalformedAnswer(provider + " answered 200 with a body that is not JSON");
        }
    }

    private RuntimeException refused(int status, MultiMap headers, Buffer body) {
        return refusal.of(status, headers, body.length() > MOST_ERROR_BODY ? body.getString(0, MOST_ERROR_BODY)
                : body.toString());
    }

    /**
     * The usual reading of an error answer: 429 and 503 (and Anthropic's 529) that name a pause
     * ({@code retry-after-ms} or {@code Retry-After}) are {@link ProviderRetryAfter}, others
     * {@link ProviderHttpError} with the body as the provider sent it.
     */
    public static RuntimeException failure(int status, MultiMap headers, String body) {
        if (status == 429 || status == 503 || status == 529) {
            Duration pause = ProviderRetryAfter.pause(headers.get("retry-after-ms"), headers.get("Retry-After"));
            if (pause != null) {
                return new ProviderRetryAfter(status, pause, body);
            }
        }
        return new ProviderHttpError(status, body);
    }

    private RequestOptions options(String target) {
        RequestOptions options = new RequestOptions().setMethod(HttpMethod.POST).setAbsoluteURI(target)
                .putHeader(HttpHeaders.CONTENT_TYPE, "application/json")
                .putHeader(HttpHeaders.ACCEPT, "application/json, text/event-stream")
                // no byte for this long fails the attempt (the guard's own timeouts are shorter or equal)
                .setIdleTimeout(timeout.toMillis());
        headers.forEach(options::putHeader);
        return options;
    }

    static byte[] bytes(JsonNode document) {
        try {
            return JSON.writeValueAsBytes(document);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
