package dev.tollgate.common.security;

import dev.tollgate.common.error.Problems;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkiverse.resteasy.problem.HttpProblem;
import io.quarkus.security.UnauthorizedException;
import io.quarkus.security.identity.CurrentIdentityAssociation;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.Response;
import java.lang.reflect.Method;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * Enforces each endpoint's {@link Access} before its method runs, on the {@link Caller} the identity providers
 * put on the request, as {@link CredentialChanges} says it is now (a revoked key, a member who left, a role changed
 * since the token was signed). No credential where one is needed: 401 with the challenge. A credential of a kind the
 * endpoint does not accept, a session without the role, a key without the scope, a service client not listed:
 * 403 problem+json naming what was missing. An endpoint without a policy is refused (and fails the architecture
 * test long before).
 */
public class AccessPolicy {

    private static final Logger LOG = Logger.getLogger(AccessPolicy.class);

    private final CurrentIdentityAssociation identities;
    private final CredentialChanges changes;
    private final MeterRegistry registry;
    private final Map<Method, Optional<Access>> policies = new ConcurrentHashMap<>();

    public AccessPolicy(CurrentIdentityAssociation identities, CredentialChanges changes, MeterRegistry registry) {
        this.identities = identities;
        this.changes = changes;
        this.registry = registry;
    }

    /** The policy of a resource method: its own, else its resource class's. */
    public static Access of(Method method, Class<?> resourceClass) {
        Access own = method.getAnnotation(Access.class);
        return own != null ? own : resourceClass.getAnnotation(Access.class);
    }

    @ServerRequestFilter(priority = Priorities.AUTHORIZATION)
    public Uni<Response> check(ResourceInfo resource) {
        Method method = resource.getResourceMethod();
        if (method == null) {
            return Uni.createFrom().failure(refused("no-access-policy", "no resource method answers this request"));
        }
        Class<?> type = resource.getResourceClass() != null ? resource.getResourceClass() : method.getDeclaringClass();
        Optional<Access> policy = policies.computeIfAbsent(method, m -> Optional.ofNullable(of(m, type)));
        if (policy.isEmpty()) {
            LOG.errorf("security: %s.%s has no @Access policy; refused", method.getDeclaringClass().getSimpleName(),
                    method.getName());
            return Uni.createFrom().failure(refused("no-access-policy", "this endpoint declares no access policy"));
        }
        Access access = policy.get();
        if (access.anonymous()) {
            return Uni.createFrom().nullItem();
        }
        return identities.getDeferredIdentity().map(identity -> {
            // resolved now, on the event loop: the resource's injected identity then answers without blocking
            identities.setIdentity(identity);
            if (identity.isAnonymous()) {
                throw new UnauthorizedException();
            }
            Caller caller = identity.getAttribute(Caller.ATTRIBUTE);
            if (caller == null) {
                throw refused("credential-not-accepted", "this endpoint accepts only Tollgate credentials");
            }
            Caller current = current(caller);
            if (current != caller) {
                identities.setIdentity(QuarkusSecurityIdentity.builder(identity)
                        .addAttribute(Caller.ATTRIBUTE, current).build());
            }
            decide(access, current);
            return null;
        });
    }

    /**
     * The caller as it is now, not as its token was signed: a revoked key is refused (401), a member who left the
     * tenant since is refused (403), a role changed since replaces the token's.
     */
    Caller current(Caller caller) {
        if (changes.isSigningKeyRevoked(caller.signingKeyId())) {
            throw count(caller, Problems.builder(Response.Status.UNAUTHORIZED, "token-key-revoked", "Token Key Revoked")
                    .withDetail("the key that signed this token was revoked; sign in again or get a new token")
                    .withHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"")
                    .build());
        }
        if (caller.isApiKey() && changes.isRevoked(caller.apiKeyId())) {
            throw count(caller, Problems.builder(Response.Status.UNAUTHORIZED, "api-key-revoked", "API Key Revoked")
                    .withDetail("the API key this credential stands for was revoked")
                    .withHeader("WWW-Authenticate", "Bearer error=\"invalid_token\"")
                    .build());
        }
        if (caller.tenantId() == null || caller.userId() == null) {
            return caller;
        }
        Optional<CredentialChanges.RoleChange> change = changes.roleChangedAfter(caller.tenantId(), caller.userId(),
                caller.issuedAt());
        if (change.isEmpty()) {
            return caller;
        }
        if (change.get().role() == null || change.get().leftAfter(caller.issuedAt())) {
            // left, or left and came back: what was issued for the earlier membership ended with it
            throw count(caller, refused("membership-ended", "the user is no longer a member of the tenant this "
                    + "credential was issued for"));
        }
        if (!caller.isSession()) {
            return caller;
        }
        return new Caller(caller.kind(), caller.userId(), caller.tenantId(), Set.of(change.get().role()),
                caller.scopes(), caller.sessionId(), caller.apiKeyId(), caller.client(), caller.issuedAt(),
                caller.signingKeyId());
    }

    /** Throws the 403 problem that {@code caller} gets from {@code access}, or returns if it may call. */
    public void decide(Access access, Caller caller) {
        switch (caller.kind()) {
            case OPERATOR -> {
                if (!access.operator()) {
                    session(access, caller);
                }
            }
            case SESSION -> {
                if (access.session().length == 0 && access.operator()) {
                    throw count(caller, refused("operator-required", "only a platform operator may do this"));
                }
                session(access, caller);
            }
            case API_KEY -> {
                if (access.apiKey().length == 0) {
                    throw count(caller, refused("credential-not-accepted", "an API key cannot do this: "
                            + "it is for signed-in sessions" + (access.services().length > 0 ? " and services" : "")
                            + " only (tenants, members, keys, sessions, exports, erasure and billing are managed "
                            + "by a person, not a key)"));
                }
                for (Scope scope : access.apiKey()) {
                    if (!caller.hasScope(scope)) {
                        throw count(caller, Problems.builder(Response.Status.FORBIDDEN, "missing-scope", "Missing Scope")
                                .withDetail("the API key lacks the scope '" + scope.value() + "' this endpoint needs")
                                .with("scope", scope.value())
                                .build());
                    }
                }
            }
            case SERVICE -> {
                if (!Arrays.asList(access.services()).contains(caller.client())) {
                    throw count(caller, refused("client-not-allowed", access.services().length == 0
                            ? "a service's token cannot call this endpoint"
                            : "the service client '" + caller.client() + "' may not call this endpoint (it is for "
                                    + String.join(", ", access.services()) + ")"));
                }
                if (!caller.scopes().contains(access.serviceScope())) {
                    throw count(caller, Problems.builder(Response.Status.FORBIDDEN, "missing-scope", "Missing Scope")
                            .withDetail("the service client '" + caller.client() + "' lacks the scope '"
                                    + access.serviceScope() + "' this endpoint needs")
                            .with("scope", access.serviceScope())
                            .build());
                }
            }
        }
    }

    private void session(Access access, Caller caller) {
        if (access.session().length == 0) {
            throw count(caller, refused("credential-not-accepted", "a signed-in session cannot call this endpoint"
                    + (access.apiKey().length > 0 ? "; it takes an API key with the scope '"
                            + access.apiKey()[0].value() + "'" : "")
                    + (access.services().length > 0 ? "; it is for Tollgate's services" : "")));
        }
        Role needed = access.session()[0];
        Role held = caller.role();
        if (held == null || !held.covers(needed)) {
            throw count(caller, Problems.builder(Response.Status.FORBIDDEN, "role-required", "Role Required")
                    .withDetail("this needs the role " + roles(needed) + " in the tenant; the caller is "
                            + (held == null ? "no member" : held.value()))
                    .with("role", needed.value())
                    .build());
        }
    }

    private static String roles(Role needed) {
        return Arrays.stream(Role.values()).filter(role -> role.covers(needed)).map(Role::value)
                .collect(Collectors.joining(" or "));
    }

    private HttpProblem count(Caller caller, HttpProblem problem) {
        registry.counter("tollgate.security.refused", "kind", caller.kind().name().toLowerCase(), "reason",
                slug(problem)).increment();
        return problem;
    }

    private static String slug(HttpProblem problem) {
        String type = String.valueOf(problem.getType());
        return type.substring(type.lastIndexOf('/') + 1);
    }

    private static HttpProblem refused(String slug, String detail) {
        return Problems.builder(Response.Status.FORBIDDEN, slug, "Forbidden").withDetail(detail).build();
    }
}
