package dev.tollgate.common.trace;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;

/** How much is traced (where tracing is on: quarkus.otel.sdk.disabled=false). */
@ConfigMapping(prefix = "tollgate.traces")
public interface TraceConfig {

    /**
     * The share of requests and events that begin a trace, from 0 to 1 (0.1: one in ten, chosen by trace id, each
     * recorded whole across the services). A trace begun elsewhere in the suite is recorded as its beginning was.
     */
    @WithDefault("1.0")
    @DecimalMin("0.0")
    @DecimalMax("1.0")
    double ratio();
}
