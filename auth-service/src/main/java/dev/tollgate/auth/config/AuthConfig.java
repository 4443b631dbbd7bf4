package dev.tollgate.auth.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** How auth-service issues tokens and sends sign-in links. */
@ConfigMapping(prefix = "tollgate.auth")
public interface AuthConfig {

    /** The public base URL that sign-in links in mails point at; usually the API gateway's. */
    @NotBlank
    String publicUrl();

    /**
     * The secret that encrypts the signing keys' private parts in the database: 32 bytes, base64. Generate one
     * with {@code openssl rand -base64 32}; keep it out of the repository.
     */
    @NotBlank
    @Pattern(regexp = "[A-Za-z0-9+/]{43}=", message = "must be 32 bytes in base64 (openssl rand -base64 32)")
    String keyEncryptionSecret();

    AccessTokens accessToken();

    RefreshTokens refreshToken();

    MagicLinks magicLink();

    SigningKeys signingKey();

    Invitations invitation();

    ApiKeys apiKey();

    Social social();

    /**
     * The services that may ask for client-credentials tokens, by client id: e.g.
     * {@code tollgate.auth.clients.generation.secret=...}. Their tokens carry the role {@code service}.
     */
    Map<String, ServiceClient> clients();

    interface ServiceClient {
        /** The client's secret, at least 32 characters, from the environment. */
        @Size(min = 32, message = "must be at least 32 characters")
        String secret();

        /**
         * The secret being rotated out, accepted beside {@link #secret()} until it is removed, so that the client's
         * replicas can move to the new one without a refusal.
         */
        Optional<@Size(min = 32, message = "must be at least 32 characters") String> previousSecret();

        /** The scopes its tokens carry. */
        @WithDefault("internal")
        List<String> scopes();
    }

    /**
     * Social sign-in. Each provider is a quarkus-oidc tenant named after it ({@code quarkus.oidc.<name>.*}),
     * reached at {@code /auth/social/<name>/login}.
     */
    interface Social {
        /** Where the browser goes after a social sign-in, holding the refresh cookie. */
        @WithDefault("${tollgate.auth.public-url}/")
        String successUrl();
    }

    interface ApiKeys {
        /**
         * The scopes a key may be given, a subset of the catalogue in code (generate, usage:read, billing:read,
         * keys:manage); a scope outside it stops the start. A key gets a subset of these.
         */
        @WithDefault("generate,usage:read,billing:read,keys:manage")
        List<String> scopes();

        /** After a rotation, how long the old key keeps working so that deployments can switch over. */
        @WithDefault("24h")
        Duration rotationOverlap();

        /** How long an access token obtained for an API key lives. */
        @WithDefault("15m")
        Duration exchangedTokenTtl();
    }

    interface AccessTokens {
        /** How long an access token is valid. Its issuer and audience are common's {@code tollgate.tokens.*}. */
        @WithDefault("15m")
        Duration ttl();
    }

    interface RefreshTokens {
        /** How long a session lasts without being used. */
        @WithDefault("30d")
        Duration ttl();

        /**
         * How long after a refresh token was spent a second use of it still gets a valid answer, so that two
         * tabs refreshing at once do not sign the user out. Past it, a reuse revokes the whole session.
         */
        @WithDefault("30s")
        Duration reuseGrace();

        /**
         * How long a session lasts at most, however often it is used: past this age since the sign-in its refresh
         * tokens are refused and the user signs in again.
         */
        @WithDefault("90d")
        Duration maxSessionAge();
    }

    interface MagicLinks {
        /** How long a sign-in link can be confirmed. */
        @WithDefault("15m")
        Duration ttl();

        /** Sign-in links one address may request per window. */
        @WithDefault("5")
        int perAddressLimit();

        /** Sign-in links (and confirmations) one IP address may request per window. */
        @WithDefault("30")
        int perIpLimit();

        /** The rate-limit window. */
        @WithDefault("15m")
        Duration window();

        /**
         * Where a sign-in may send the browser afterwards: URLs such as {@code https://app.example.com/}. A
         * {@code redirect} must have the scheme, host and port of one of them exactly and lie under its path;
         * anything else is refused (400), so that links cannot send users to someone else's site.
         */
        Optional<List<String>> allowedRedirects();

        /** The sender of sign-in mails. */
        @WithDefault("Tollgate <no-reply@tollgate.dev>")
        String from();
    }

    interface Invitations {
        /** How long an invitation to a tenant can be accepted. */
        @WithDefault("7d")
        Duration ttl();

        /**
         * The page that accepts an invitation, in the product's frontend; the mail links to it with
         * {@code ?token=...} appended, and the page calls {@code POST /auth/invitations/accept}.
         */
        @WithDefault("${tollgate.auth.public-url}/invitations/accept")
        String acceptUrl();
    }

    interface SigningKeys {
        /** A signing key older than this is replaced by a new one; the old one stays published until its tokens expire. */
        @WithDefault("30d")
        Duration rotation();
    }
}
