package dev.tollgate.common.security;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Who may act for the platform as a whole, beyond any one tenant, and which proxies are believed. */
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

    /**
     * How long a starting replica waits, not ready, for the broker to say which credential changes were announced
     * before it started. Past it, with the broker still not answering, the replica serves anyway (so that a broker
     * outage does not keep every restarted pod out of routing), logs an alert and shows 0 in
     * {@code tollgate_security_credential_changes_caught_up} until it has read them.
     */
    @WithDefault("2m")
    Duration catchUpPatience();

    /**
     * The proxies (addresses or ranges such as {@code 10.0.0.0/8}) whose {@code X-Forwarded-For} is believed: the
     * client is the right-most address in it that none of them owns. A request from anywhere else is its own client.
     * Name the gateway in front of the services here (its pods' range, not every private range: a client inside a
     * trusted range could name any address it likes), and nothing a client can reach directly. Loopback only by
     * default, the local gateway; docker-compose and the Kubernetes base name theirs. Read where a limit counts per
     * client: sign-in links (auth-service) and unknown API keys (generation-service).
     */
    @WithDefault("127.0.0.1,::1")
    List<String> trustedProxies();
}
