package dev.tollgate.account.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import java.time.Duration;
import java.util.List;

/** Profiles, erasure and the calls account-service makes to auth-service. */
@ConfigMapping(prefix = "tollgate.account")
public interface AccountConfig {

    /** auth-service, for its internal endpoints (with account's client-credentials token). */
    @NotBlank
    String authUrl();

    /** How long a call to another service may take. */
    @WithDefault("5s")
    Duration timeout();

    Erasure erasure();

    interface Erasure {
        /** How recent the caller's sign-in ({@code auth_time}) must be to delete the account. */
        @WithDefault("10m")
        Duration recentSignIn();

        /** How long every service has to receipt an erasure before it is reported overdue. */
        @WithDefault("24h")
        Duration deadline();

        /** How often overdue erasures are looked for. */
        @WithDefault("1m")
        Duration checkEvery();

        /** The services whose receipts ({@code account.purged}) complete an erasure. */
        @NotEmpty
        @WithDefault("auth,billing,generation,metering,account")
        List<String> services();
    }
}
