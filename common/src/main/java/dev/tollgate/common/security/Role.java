package dev.tollgate.common.security;

/** A member's role in a tenant, from least to most: each role may do what the ones before it may. */
public enum Role {

    MEMBER("member"),
    ADMIN("admin"),
    OWNER("owner");

    private final String value;

    Role(String value) {
        this.value = value;
    }

    public String value() {
        return value;
    }

    /** Whether this role may do what {@code needed} may. */
    public boolean covers(Role needed) {
        return compareTo(needed) >= 0;
    }

    /** The role spelled {@code value}, or null for anything else (such as a service's or a key's role). */
    public static Role of(String value) {
        for (Role role : values()) {
            if (role.value.equals(value)) {
                return role;
            }
        }
        return null;
    }
}
