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
 * Asks auth-service to fix what erasing a user takes with it (its internal endpoint, with account's service token):
 * the tenants the user alone owns now go too, and their other members are told. Asked again before the erasure is
 * applied, auth-service gives the same answer.
 */
@ApplicationScoped
public class ErasureScopes {

    private static final Logger LOG = Logger.getLogger(ErasureScopes.class);

    /** The tenants the user alone owns (erased with them), and the other members of those. */
    public record Scope(List<UUID> soleOwnedTenants, List<MemberLeft> membersLeft) {
    }

    /** A member of a tenant deleted with its owner. */
    public record MemberLeft(UUID tenantId, String tenantName, UUID userId, String email) {
    }

    private final AccountConfig config;
    private final InternalServices services;

    public ErasureScopes(AccountConfig config, InternalServices services) {
        this.config = config;
        this.services = services;
    }

    /** Fixes the scope of erasure {@code deletionId} of the user (auth-service holds it until the erasure is applied). */
    public Uni<Scope> of(UUID userId, UUID deletionId) {
        return services.post(url(userId, deletionId))
                .map(response -> {
                    if (response.statusCode() != 200) {
                        throw new IllegalStateException("auth-service answered " + response.statusCode());
                    }
                    JsonObject body = response.bodyAsJsonObject();
                    List<MemberLeft> left = new ArrayList<>();
                    JsonArray members = body.getJsonArray("membersLeft");
                    if (members != null) {
                        members.forEach(value -> {
                            JsonObject member = (JsonObject) value;
                            left.add(new MemberLeft(UUID.fromString(member.getString("tenantId")),
                                    member.getString("tenantName"), UUID.fromString(member.getString("userId")),
                                    member.getString("email")));
                        });
                    }
                    return new Scope(uuids(body.getJsonArray("soleOwnedTenants")), List.copyOf(left));
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

    /** Ends the hold of erasure {@code deletionId}, which could not be recorded here; a failure is only logged. */
    public Uni<Void> release(UUID userId, UUID deletionId) {
        return services.delete(url(userId, deletionId))
                .invoke(response -> {
                    if (response.statusCode() != 204) {
                        LOG.warnf("erasure: auth-service answered %d to releasing the hold of deletion %s of user %s",
                                response.statusCode(), deletionId, userId);
                    }
                })
                .onFailure().invoke(e -> LOG.warnf("erasure: the hold of deletion %s of user %s could not be released "
                        + "(%s); asking to be deleted again goes on with it", deletionId, userId, e.toString()))
                .onFailure().recoverWithNull()
                .replaceWithVoid();
    }

    private String url(UUID userId, UUID deletionId) {
        return config.authUrl().replaceAll("/+$", "") + "/auth/internal/users/" + userId + "/erasure-scope?deletion="
                + deletionId;
    }

    private static List<UUID> uuids(JsonArray values) {
        List<UUID> ids = new ArrayList<>();
        if (values != null) {
            values.forEach(value -> ids.add(UUID.fromString(String.valueOf(value))));
        }
        return List.copyOf(ids);
    }
}
