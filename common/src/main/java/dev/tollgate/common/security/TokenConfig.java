package dev.tollgate.common.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.NotBlank;
import java.util.List;

/**
 * The access tokens every service trusts: who issues them and where their public keys are. auth-service signs
 * with this issuer and audience; the other services verify against them (smallrye-jwt reads the same keys
 * through common's {@code mp.jwt.*} defaults).
 */
@ConfigMapping(prefix = "tollgate.tokens")
public interface TokenConfig {

    /** The {@code iss} of access tokens: the public base URL of the suite, e.g. https://api.example.com. */
    @NotBlank
    String issuer();

    /**
     * Where verifiers fetch the signing keys; by default the issuer's {@code /.well-known/jwks.json}. Inside a
     * cluster it may point at auth-service directly.
     */
    @NotBlank
    String jwksUrl();

    /** The {@code aud} of access tokens. */
    @WithDefault("tollgate")
    List<String> audience();
}
