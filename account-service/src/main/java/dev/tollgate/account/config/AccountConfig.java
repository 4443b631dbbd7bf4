package dev.tollgate.account.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.Positive;
import java.time.Duration;
import java.util.List;
import java.util.Map;

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

    Export export();

    Audit audit();

    Notifications notifications();

    interface Notifications {
        /** How often the recorded notification mails are sent. */
        @WithDefault("2s")
        Duration sendEvery();

        /** How long after it was recorded a mail the server keeps refusing is given up (its address then dropped). */
        @WithDefault("48h")
        Duration giveUpAfter();
    }

    interface Audit {
        /** How long audit entries are kept. */
        @WithDefault("400d")
        Duration retention();
    }

    /** Where the other services are, by name ({@code billing}, {@code generation}, {@code metering}), for exports. */
    Map<String, String> serviceUrls();

    interface Export {
        /** How long a ready export can be downloaded; then it is dropped. */
        @WithDefault("24h")
        Duration linkTtl();

        /** Exports a user may ask for per day. */
        @WithDefault("3")
        @Positive
        int maxPerDay();

        /** How often waiting exports are gathered. */
        @WithDefault("2s")
        Duration runEvery();

        /** Attempts before an export that a service keeps failing is given up. */
        @WithDefault("5")
        @Positive
        int maxAttempts();
    }

    interface Erasure {
        /** How recent the caller's sign-in ({@code auth_time}) must be to delete the account. */
        @WithDefault("10m")
        Duration recentSignIn();

        /** How long every service has to receipt an erasure before it is reported overdue. */
        @WithDefault("24h")
        Duration deadline();

        /**
         * How long an erasure waits for the services' receipts before it is sent again to those still missing (the
         * same deletion id; each service applies it once), and again after each such wait.
         */
        @WithDefault("15m")
        Duration redriveAfter();

        /** How often overdue and stalled erasures are looked for. */
        @WithDefault("1m")
        Duration checkEvery();

        /** The services whose receipts ({@code account.purged}) complete an erasure. */
        @NotEmpty
        @WithDefault("auth,billing,generation,metering,account")
        List<String> services();
    }
}
