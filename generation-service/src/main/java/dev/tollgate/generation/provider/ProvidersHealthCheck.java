package dev.tollgate.generation.provider;

import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * The routes and each provider's circuit breaker, in readiness's data. Always up: an open breaker moves traffic
 * to the route's next provider, and taking the replica out of service would not help.
 */
@Readiness
@ApplicationScoped
public class ProvidersHealthCheck implements HealthCheck {

    private final ProviderRoutes routes;
    private final ProviderGuards guards;

    public ProvidersHealthCheck(ProviderRoutes routes, ProviderGuards guards) {
        this.routes = routes;
        this.guards = guards;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("AI providers").up();
        routes.describe().forEach((model, providers) -> response.withData("route " + model, providers));
        guards.breakerStates().forEach((provider, state) -> response.withData("breaker " + provider, state));
        return response.build();
    }
}
