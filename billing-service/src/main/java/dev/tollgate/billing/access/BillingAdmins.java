package dev.tollgate.billing.access;

import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Caller;
import java.util.Set;

/** Who may change a tenant's billing: its owners and admins. Every member may read it. */
public final class BillingAdmins {

    public static final Set<String> ROLES = Set.of("owner", "admin");

    private BillingAdmins() {
    }

    /** {@code caller}, if an owner or admin of its tenant; otherwise 403. */
    public static Caller require(Caller caller) {
        if (caller.roles().stream().noneMatch(ROLES::contains)) {
            throw Problems.forbidden("only the tenant's owner or an admin may change its billing; your roles: "
                    + caller.roles());
        }
        return caller;
    }
}
