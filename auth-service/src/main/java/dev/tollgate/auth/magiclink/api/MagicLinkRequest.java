package dev.tollgate.auth.magiclink.api;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Ask for a sign-in link; {@code redirect} is where the browser goes after confirming (an allowed URL). */
public record MagicLinkRequest(
        @NotBlank @Email @Size(max = 320) String email,
        @Size(max = 2000) String redirect) {
}
