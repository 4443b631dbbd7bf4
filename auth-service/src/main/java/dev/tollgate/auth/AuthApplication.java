package dev.tollgate.auth;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;

/** auth-service: identity: users, sign-in, tokens, tenants, API keys. */
@OpenAPIDefinition(info = @Info(title = "Tollgate auth-service", version = "0.1.0", description = "Identity: users, sign-in, tokens, tenants, API keys."))
public class AuthApplication extends Application {
}
