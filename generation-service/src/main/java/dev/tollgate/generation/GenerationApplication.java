package dev.tollgate.generation;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;

/** generation-service: the AI gateway: routing, retries, fallback, streaming, history. */
@OpenAPIDefinition(info = @Info(title = "Tollgate generation-service", version = "0.1.0", description = "The AI gateway: routing, retries, fallback, streaming, history."))
public class GenerationApplication extends Application {
}
