package dev.tollgate.common.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Who may act for the platform as a whole, beyond any one tenant. */
@ConfigMapping(prefix = "tollgate.security")
public interface SecurityConfig {

    /**
     * The user ids (UUIDs) whose signed-in sessions are platform operators: the role the re-drive endpoints and the
     * operator console accept. Empty by default: nobody is an operator until the configuration names them.
     */
    Optional<List<String>> operators();

    /**
     * How long a service remembers a revoked API key or a member's changed role after the change: longer than any
     * access token lives (15 minutes), so no token signed before the change is trusted for what it no longer is.
     */
    @WithDefault("20m")
    Duration changesRemembered();
}
