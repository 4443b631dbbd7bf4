package dev.tollgate.devstack;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/** A real redis-server, the binary that the embedded-redis artifact ships for this OS and arch. */
public final class RedisServer implements AutoCloseable {

    private final redis.embedded.RedisServer server;
    private final int port;

    private RedisServer(redis.embedded.RedisServer server, int port) {
        this.server = server;
        this.port = port;
    }

    /** Starts redis-server on {@code port}, persisting to {@code dir} when {@code keepData}. */
    public static RedisServer start(Path dir, int port, boolean keepData) {
        try {
            Files.createDirectories(dir);
            redis.embedded.RedisServer server = redis.embedded.RedisServer.newRedisServer()
                    .port(port)
                    .bind("127.0.0.1")
                    .setting("dir " + dir.toAbsolutePath())
                    .setting(keepData ? "appendonly yes" : "appendonly no")
                    .setting(keepData ? "save 60 1" : "save \"\"")
                    .setting("maxmemory 256mb")
                    .onShutdownForceStop(true)
                    .build();
            server.start();
            return new RedisServer(server, port);
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server did not start on port " + port, e);
        }
    }

    public int port() {
        return port;
    }

    public String url() {
        return "redis://127.0.0.1:" + port;
    }

    public boolean isRunning() {
        return server.isActive();
    }

    /** Stops the server; {@link #restart()} brings it back on the same port. */
    public void stop() {
        try {
            server.stop();
        } catch (IOException e) {
            throw new UncheckedIOException("redis-server did not stop", e);
        }
    }

    public void restart() {
        // the stopped process may hold the port a moment longer
        long deadline = System.nanoTime() + Duration.ofSeconds(15).toNanos();
        while (true) {
            try {
                server.start();
                return;
            } catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw new UncheckedIOException("redis-server did not restart on port " + port, e);
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException interrupted) {
                    Thread.currentThread().interrupt();
                    throw new UncheckedIOException("interrupted while restarting redis-server", e);
                }
            }
        }
    }

    @Override
    public void close() {
        if (isRunning()) {
            stop();
        }
    }
}
