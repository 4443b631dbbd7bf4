package dev.tollgate.auth.magiclink.api;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;

/** Confirm a sign-in link: the token from the link. */
public record MagicLinkConfirmation(@NotBlank @Size(max = 100) String token) {
}
