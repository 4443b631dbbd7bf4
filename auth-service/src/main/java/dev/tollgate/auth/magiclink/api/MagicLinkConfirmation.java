package dev.tollgate.auth.magiclink.api;

import com.fasterxml.jackson.annotation.JsonProperty;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/**
 * Confirm a sign-in link: the token from the link. A native app that keeps the refresh token itself asks for it in
 * the answer ({@code refresh_token_in_body}); a browser keeps it in its httpOnly cookie only.
 */
public record MagicLinkConfirmation(@NotBlank @Size(max = 100) String token,
        @JsonProperty("refresh_token_in_body") Boolean refreshTokenInBody) {

    boolean wantsRefreshTokenInBody() {
        return Boolean.TRUE.equals(refreshTokenInBody);
    }
}
