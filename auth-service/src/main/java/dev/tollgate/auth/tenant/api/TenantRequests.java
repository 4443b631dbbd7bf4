package dev.tollgate.auth.tenant.api;

import jakarta.validation.constraints.Email;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;

/** The bodies the tenant endpoints accept. */
final class TenantRequests {

    static final String ROLES = "owner|admin|member";

    private TenantRequests() {
    }

    record NewTenant(@NotBlank @Size(max = 200) String name) {
    }

    record NewInvitation(@NotBlank @Email @Size(max = 320) String email,
            @NotBlank @Pattern(regexp = ROLES, message = "must be owner, admin or member") String role) {
    }

    record RoleChange(@NotBlank @Pattern(regexp = ROLES, message = "must be owner, admin or member") String role) {
    }

    record Acceptance(@NotBlank @Size(max = 100) String token) {
    }
}
