package dev.tollgate.testing;

import io.restassured.RestAssured;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/** Requests an HTTP client library would not send, written on a socket to the service under test. */
public final class RawRequests {

    private RawRequests() {
    }

    /**
     * What the service answers a {@code POST} to {@code path} whose head declares {@code length} bytes of JSON body,
     * none of them sent: the answer a limit gives before reading the body, read until the service closes.
     */
    public static String declaringALength(String path, long length) {
        try (Socket socket = new Socket("127.0.0.1", RestAssured.port)) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(("POST " + path + " HTTP/1.1\r\nHost: localhost\r\nContent-Type: "
                    + "application/json\r\nContent-Length: " + length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            socket.getOutputStream().flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
