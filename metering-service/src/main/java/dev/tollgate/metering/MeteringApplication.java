package dev.tollgate.metering;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;

/** metering-service: usage ledger, quotas, entitlements and the usage API. */
@OpenAPIDefinition(info = @Info(title = "Tollgate metering-service", version = "0.1.0", description = "Usage ledger, quotas, entitlements and the usage API."))
public class MeteringApplication extends Application {
}
