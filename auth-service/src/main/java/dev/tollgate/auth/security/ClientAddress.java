package dev.tollgate.auth.security;

import io.vertx.core.http.HttpServerRequest;

/** The client's address for per-client limits and session records (X-Forwarded-For from trusted proxies only). */
public final class ClientAddress {

    private ClientAddress() {
    }

    public static String of(HttpServerRequest request) {
        return request.remoteAddress() == null ? "unknown" : request.remoteAddress().hostAddress();
    }
}
