package dev.tollgate.account.erasure;

import dev.tollgate.account.config.AccountConfig;
import dev.tollgate.account.internal.InternalServices;
import dev.tollgate.common.error.Problems;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Asks auth-service what erasing a user takes with it (its internal endpoint, with account's service token): the
 * tenants the user alone owns go too.
 */
@ApplicationScoped
public class ErasureScopes {

    private static final Logger LOG = Logger.getLogger(ErasureScopes.class);

    /** The tenants the user alone owns (erased with them). */
    public record Scope(List<UUID> soleOwnedTenants) {
    }

    private final AccountConfig config;
    private final InternalServices services;

    public ErasureScopes(AccountConfig config, InternalServices services) {
        this.config = config;
        this.services = services;
    }

    public Uni<Scope> of(UUID userId) {
        return services.get(config.authUrl().replaceAll("/+$", "") + "/auth/internal/users/" + userId + "/erasure-scope")
                .map(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("auth-service answered " + response.statusCode());
                    }
                    JsonObject body = response.bodyAsJsonObject();
                    return new Scope(uuids(body.getJsonArray("soleOwnedTenants")));
                })
                .onFailure().transform(e -> {
                    LOG.warnf("erasure: auth-service could not say what erasing user %s takes with it: %s", userId,
                            e.getMessage());
                    return Problems.builder(Response.Status.SERVICE_UNAVAILABLE, "auth-unavailable", "Auth Unavailable")
                            .withDetail("the deletion could not be started now; nothing was deleted, try again shortly")
                            .withHeader("Retry-After", 5)
                            .build();
                });
    }

    private static List<UUID> uuids(JsonArray values) {
        List<UUID> ids = new ArrayList<>();
        if (values != null) {
            values.forEach(value -> ids.add(UUID.fromString(String.valueOf(value))));
        }
        return List.copyOf(ids);
    }
}
