package dev.tollgate.generation;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An OpenAI-compatible provider whose streams break: it answers {@code 200 text/event-stream}, sends two pieces
 * of an answer ("Partial " and "answer"), and closes the TCP connection without ending the chunked body, as a
 * provider whose process dies mid-answer does. Runs for the whole test JVM.
 */
public final class ChoppyProvider {

    private static ServerSocket server;
    private static final AtomicInteger CALLS = new AtomicInteger();

    private ChoppyProvider() {
    }

    public static synchronized int port() {
        if (server == null) {
            try {
                server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
            } catch (IOException e) {
                throw new IllegalStateException("no loopback port for the choppy provider", e);
            }
            Thread acceptor = new Thread(ChoppyProvider::serve, "choppy-provider");
            acceptor.setDaemon(true);
            acceptor.start();
        }
        return server.getLocalPort();
    }

    /** The requests it has received. */
    public static int calls() {
        return CALLS.get();
    }

    private static void serve() {
        while (!server.isClosed()) {
            try (Socket socket = server.accept()) {
                readRequest(socket.getInputStream());
                CALLS.incrementAndGet();
                OutputStream out = socket.getOutputStream();
                out.write(("HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                chunk(out, FakeOpenAi.chunk("{\"role\":\"assistant\",\"content\":\"\"}", null));
                chunk(out, FakeOpenAi.chunk("{\"content\":\"Partial \"}", null));
                chunk(out, FakeOpenAi.chunk("{\"content\":\"answer\"}", null));
                out.flush();
                // the provider's process dies: the connection closes in the middle of the chunked body, without the
                // last chunk (a FIN after the pieces; what the client still sends is read so no reset overtakes them)
                socket.shutdownOutput();
                socket.setSoTimeout(10_000);
                socket.getInputStream().transferTo(OutputStream.nullOutputStream());
            } catch (IOException e) {
                if (server.isClosed()) {
                    return;
                }
            }
        }
    }

    private static void chunk(OutputStream out, String data) throws IOException {
        byte[] bytes = data.getBytes(StandardCharsets.UTF_8);
        out.write((Integer.toHexString(bytes.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
        out.write(bytes);
        out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
    }

    /** Reads the request line, headers and the body its Content-Length announces. */
    private static void readRequest(InputStream in) throws IOException {
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                return;
            }
            head.append((char) b);
        }
        int length = 0;
        for (String line : head.toString().split("\r\n")) {
            if (line.toLowerCase(Locale.ROOT).startsWith("content-length:")) {
                length = Integer.parseInt(line.substring(15).trim());
            }
        }
        in.readNBytes(length);
    }
}
