package dev.tollgate.common.security;

import io.quarkus.runtime.Startup;
import io.quarkus.security.identity.AuthenticationRequestContext;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.SecurityIdentityAugmentor;
import io.quarkus.security.runtime.QuarkusSecurityIdentity;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jose4j.jws.JsonWebSignature;
import org.jose4j.lang.JoseException;

/**
 * Puts the {@link Caller} on every identity whose principal is a verified Tollgate access token (smallrye-jwt in
 * most services, auth-service's own verifier there; a social provider's ID token has another issuer), once, when the identity
 * is built; everything after reads the
 * caller from there. The token's claims decide the kind: {@code akid} an API key's exchanged token, {@code sid} a
 * session (an operator's if the configuration names its user), {@code sub = service:<client>} a service. A token
 * that fits none of them is refused as invalid.
 */
// made at start-up, so that a wrong operator id stops the start instead of failing requests
@Startup
@ApplicationScoped
public class CallerFromToken implements SecurityIdentityAugmentor {

    private final Set<UUID> operators;
    private final String issuer;

    public CallerFromToken(SecurityConfig config, TokenConfig tokens) {
        this.issuer = tokens.issuer();
        this.operators = config.operators().orElse(java.util.List.of()).stream().map(String::trim)
                .map(CallerFromToken::operator).collect(Collectors.toUnmodifiableSet());
    }

    @Override
    public Uni<SecurityIdentity> augment(SecurityIdentity identity, AuthenticationRequestContext context) {
        if (identity.isAnonymous() || identity.getAttribute(Caller.ATTRIBUTE) != null
                || !(identity.getPrincipal() instanceof JsonWebToken jwt) || !issuer.equals(jwt.getIssuer())) {
            return Uni.createFrom().item(identity);
        }
        Caller caller = toCaller(jwt).signedWith(kid(jwt.getRawToken()));
        return Uni.createFrom().item(QuarkusSecurityIdentity.builder(identity).addAttribute(Caller.ATTRIBUTE, caller)
                .build());
    }

    Caller toCaller(JsonWebToken jwt) {
        String subject = jwt.getSubject();
        if (subject == null) {
            throw UnreadableTokenException.because("the access token names no subject");
        }
        Set<String> scopes = scopes(jwt.getClaim(Caller.SCOPE_CLAIM));
        if (subject.startsWith(Caller.SERVICE_SUBJECT_PREFIX)) {
            return Caller.service(subject.substring(Caller.SERVICE_SUBJECT_PREFIX.length()), scopes);
        }
        try {
            UUID user = UUID.fromString(subject);
            UUID tenant = uuid(jwt.getClaim(Caller.TENANT_CLAIM));
            if (tenant == null) {
                throw UnreadableTokenException.because("the access token names no tenant (claim 'tid')");
            }
            Instant issued = jwt.getIssuedAtTime() > 0 ? Instant.ofEpochSecond(jwt.getIssuedAtTime()) : null;
            UUID key = uuid(jwt.getClaim(Caller.API_KEY_CLAIM));
            if (key != null) {
                return Caller.apiKey(user, tenant, scopes, key, issued);
            }
            UUID session = uuid(jwt.getClaim(Caller.SESSION_CLAIM));
            if (session == null) {
                throw UnreadableTokenException.because("the access token is bound to no session, key or service");
            }
            return Caller.session(user, tenant, stringSet(jwt.getClaim(Caller.ROLES_CLAIM)), session,
                    operators.contains(user), issued);
        } catch (IllegalArgumentException e) {
            throw UnreadableTokenException.because("the access token's subject, tenant, session and key must be UUIDs");
        }
    }

    private static UUID operator(String id) {
        try {
            return UUID.fromString(id);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("tollgate.security.operators: '" + id + "' is not a user id (a UUID)", e);
        }
    }

    /** The {@code kid} of a verified compact JWS, read from its protected header (already checked by the verifier). */
    static String kid(String rawToken) {
        if (rawToken == null) {
            return null;
        }
        try {
            JsonWebSignature jws = new JsonWebSignature();
            jws.setCompactSerialization(rawToken);
            return jws.getKeyIdHeaderValue();
        } catch (JoseException e) {
            return null;
        }
    }

    private static UUID uuid(Object raw) {
        return raw == null ? null : UUID.fromString(unquote(raw.toString()));
    }

    private static Set<String> stringSet(Object raw) {
        Set<String> values = new HashSet<>();
        if (raw instanceof Iterable<?> items) {
            items.forEach(item -> values.add(unquote(String.valueOf(item))));
        } else if (raw != null) {
            values.add(unquote(raw.toString()));
        }
        return values;
    }

    private static Set<String> scopes(Object raw) {
        if (raw == null) {
            return Set.of();
        }
        String value = unquote(raw.toString()).trim();
        return value.isEmpty() ? Set.of() : new HashSet<>(Arrays.asList(value.split("\\s+")));
    }

    /** smallrye-jwt hands non-standard claims over as JSON values, strings with their quotes. */
    private static String unquote(String value) {
        return value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")
                ? value.substring(1, value.length() - 1)
                : value;
    }
}
