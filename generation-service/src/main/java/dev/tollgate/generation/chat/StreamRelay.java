package dev.tollgate.generation.chat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.tollgate.generation.provider.ChatChunk;
import dev.tollgate.generation.provider.ChatProvider;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.operators.multi.processors.UnicastProcessor;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Between a provider's stream and the caller's response: pieces are kept until the response subscribes, the
 * caller learns when the first piece is there (so a failure before it can still be an HTTP status), and what was
 * sent is remembered for billing if the stream breaks. Events reach the caller on the request's event loop.
 */
final class StreamRelay {

    private final UnicastProcessor<StreamEvent> events = UnicastProcessor.create();
    private final CompletableFuture<ChatProvider> first = new CompletableFuture<>();
    private final StringBuilder sent = new StringBuilder();
    private final Executor requestContext;
    private volatile boolean callerGone;
    private volatile JsonNode usageSoFar;

    StreamRelay(Executor requestContext) {
        this.requestContext = requestContext;
    }

    /** Where {@code provider}'s pieces go. */
    Consumer<ChatChunk.Text> piecesOf(ChatProvider provider) {
        return piece -> {
            synchronized (sent) {
                sent.append(piece.text());
            }
            if (piece.usage() != null) {
                usageSoFar = piece.usage();
            }
            first.complete(provider);
            events.onNext(new StreamEvent.Piece(piece.text(), piece.chunk()));
        };
    }

    /** Whether a piece has gone out: from then on the answer cannot start over. */
    boolean started() {
        return first.isDone() && !first.isCompletedExceptionally();
    }

    /** The provider whose stream started; null before. */
    ChatProvider startedBy() {
        return started() ? first.join() : null;
    }

    /** The text sent so far. */
    String sent() {
        synchronized (sent) {
            return sent.toString();
        }
    }

    /** What the provider reported using as of the last piece sent (OpenAI's form), or null when it said nothing. */
    JsonNode usageSoFar() {
        return usageSoFar;
    }

    /** Completes when the first piece is there (or the answer ended empty); fails if the route failed before. */
    Uni<ChatProvider> firstPiece() {
        return Uni.createFrom().completionStage(first).emitOn(requestContext);
    }

    Multi<StreamEvent> events() {
        return events.emitOn(requestContext).onCancellation().invoke(() -> callerGone = true);
    }

    /** Whether the caller went away before the end. */
    boolean callerGone() {
        return callerGone;
    }

    void finish(ChatProvider provider, StreamEvent last) {
        first.complete(provider);
        events.onNext(last);
        events.onComplete();
    }

    /** The route failed before any piece: the caller gets {@code problem} as its answer. */
    void refuse(Throwable problem) {
        first.completeExceptionally(problem);
        events.onComplete();
    }
}
