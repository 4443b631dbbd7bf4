package dev.tollgate.common.security;

import io.quarkus.security.AuthenticationFailedException;

/**
 * Why a correctly signed Tollgate token names no caller Tollgate knows (no tenant, no session, key or service, ids
 * that are not UUIDs): the cause of the {@link AuthenticationFailedException} it fails with, so that the 401 can say
 * what is missing (nothing secret is in it).
 */
public class UnreadableTokenException extends RuntimeException {

    private UnreadableTokenException(String message) {
        super(message);
    }

    public static AuthenticationFailedException because(String message) {
        return new AuthenticationFailedException(message, new UnreadableTokenException(message));
    }
}
