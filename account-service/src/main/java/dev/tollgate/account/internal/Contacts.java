package dev.tollgate.account.internal;

import dev.tollgate.account.config.AccountConfig;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Where to write to users, from auth-service (which alone holds addresses). */
@ApplicationScoped
public class Contacts {

    /** A user to write to. */
    public record Contact(UUID userId, String email) {
    }

    private final InternalServices services;
    private final AccountConfig config;

    public Contacts(InternalServices services, AccountConfig config) {
        this.services = services;
        this.config = config;
    }

    /** The user's address; null for a user auth-service does not know (any more). */
    public Uni<Contact> of(UUID userId) {
        return services.get(auth() + "/auth/internal/users/" + userId + "/contact").map(response -> {
            if (response.statusCode() == 404) {
                return null;
            }
            if (response.statusCode() != 200) {
                throw new IllegalStateException("auth-service answered " + response.statusCode());
            }
            return new Contact(userId, response.bodyAsJsonObject().getString("email"));
        });
    }

    /** The tenant's owners and admins. */
    public Uni<List<Contact>> runnersOf(UUID tenantId) {
        return services.get(auth() + "/auth/internal/tenants/" + tenantId + "/contacts").map(response -> {
            if (response.statusCode() != 200) {
                throw new IllegalStateException("auth-service answered " + response.statusCode());
            }
            JsonArray body = response.bodyAsJsonArray();
            List<Contact> contacts = new ArrayList<>();
            body.forEach(value -> {
                JsonObject contact = (JsonObject) value;
                contacts.add(new Contact(UUID.fromString(contact.getString("userId")), contact.getString("email")));
            });
            return contacts;
        });
    }

    private String auth() {
        return config.authUrl().replaceAll("/+$", "");
    }
}
