package dev.tollgate.account;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;

/** account-service: profile, GDPR export and erasure, audit log, notifications. */
@OpenAPIDefinition(info = @Info(title = "Tollgate account-service", version = "0.1.0", description = "Profile, GDPR export and erasure, audit log, notifications."))
public class AccountApplication extends Application {
}
