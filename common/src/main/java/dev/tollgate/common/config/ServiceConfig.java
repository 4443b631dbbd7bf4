package dev.tollgate.common.config;

import io.smallrye.config.ConfigMapping;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;

/** Who this service is: its name on events and logs, and the PostgreSQL schema it owns. */
@ConfigMapping(prefix = "tollgate.service")
public interface ServiceConfig {

    /** The service's name, e.g. {@code metering}; the source of the events it publishes. */
    @NotBlank
    @Pattern(regexp = "[a-z][a-z0-9-]*", message = "must be lower-case letters, digits and dashes")
    String name();

    /** The PostgreSQL schema this service owns; no other service touches it. */
    @NotBlank
    @Pattern(regexp = "[a-z][a-z0-9_]*", message = "must be a lower-case SQL identifier")
    String schema();
}
