package dev.tollgate.common.security;

import dev.tollgate.common.error.Problems;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.RequestScoped;
import java.util.Optional;

/**
 * The caller of the current request, as the identity providers put it on the security identity
 * ({@link Caller#ATTRIBUTE}). This class checks no signature and reads no claim itself.
 */
@RequestScoped
public class CallerContext {

    private final SecurityIdentity identity;

    public CallerContext(SecurityIdentity identity) {
        this.identity = identity;
    }

    /** The caller, or empty for an anonymous request. */
    public Optional<Caller> current() {
        if (identity.isAnonymous()) {
            return Optional.empty();
        }
        return Optional.ofNullable(identity.getAttribute(Caller.ATTRIBUTE));
    }

    /** The caller acting in a tenant; an anonymous request is answered 401, a service's token 403. */
    public Caller require() {
        Caller caller = current().orElseThrow(() -> Problems.unauthorized("a bearer access token is required"));
        if (caller.tenantId() == null) {
            throw Problems.forbidden("this endpoint acts for a user in a tenant; a service's token has neither");
        }
        return caller;
    }
}
