package dev.tollgate.auth.token;

import java.time.Instant;
import java.util.UUID;

/** What a sign-in or a refresh hands back: an access token and the refresh token that replaces the last one. */
public record TokenPair(String accessToken, long expiresIn, String refreshToken, Instant refreshExpiresAt,
        UUID sessionId, UUID tenantId) {
}
