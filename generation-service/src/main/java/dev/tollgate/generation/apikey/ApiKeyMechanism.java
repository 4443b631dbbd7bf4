package dev.tollgate.generation.apikey;

import dev.tollgate.common.request.ClientAddress;
import dev.tollgate.common.security.ApiKeyShape;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.IdentityProviderManager;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.security.identity.request.AuthenticationRequest;
import io.quarkus.vertx.http.runtime.security.ChallengeData;
import io.quarkus.vertx.http.runtime.security.HttpAuthenticationMechanism;
import io.quarkus.vertx.http.runtime.security.HttpSecurityUtils;
import io.smallrye.mutiny.Uni;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Set;

/**
 * Reads {@code Authorization: Bearer tg_live_...}: an API key, as OpenAI SDKs send their key. Any other bearer
 * token is left to smallrye-jwt (this mechanism runs first and passes it on). A credential that starts like a key
 * but has not the shape of one ({@link ApiKeyShape}) is refused here (401), without a question to auth-service.
 */
@ApplicationScoped
public class ApiKeyMechanism implements HttpAuthenticationMechanism {

    private final Counter malformed;
    private final ClientAddress clients;

    public ApiKeyMechanism(MeterRegistry registry, ClientAddress clients) {
        this.malformed = registry.counter("tollgate.api_keys.lookups", "answer", "malformed");
        this.clients = clients;
    }

    @Override
    public Uni<SecurityIdentity> authenticate(RoutingContext context, IdentityProviderManager identities) {
        String header = context.request().getHeader("Authorization");
        if (header == null || header.length() <= 7 || !header.regionMatches(true, 0, "Bearer ", 0, 7)) {
            return Uni.createFrom().nullItem();
        }
        String credential = header.substring(7).trim();
        if (!credential.startsWith(ApiKeyShape.MARKER)) {
            return Uni.createFrom().nullItem();
        }
        if (!ApiKeyShape.wellFormed(credential)) {
            malformed.increment();
            return Uni.createFrom().failure(new AuthenticationFailedException("the API key is not of the shape "
                    + "Tollgate issues"));
        }
        return identities.authenticate(HttpSecurityUtils.setRoutingContextAttribute(new ApiKeyRequest(credential,
                clients.of(context.request())), context));
    }

    @Override
    public Uni<ChallengeData> getChallenge(RoutingContext context) {
        return Uni.createFrom().item(new ChallengeData(401, "WWW-Authenticate", "Bearer"));
    }

    @Override
    public Set<Class<? extends AuthenticationRequest>> getCredentialTypes() {
        return Set.of(ApiKeyRequest.class);
    }

    @Override
    public int getPriority() {
        return DEFAULT_PRIORITY + 100;
    }
}
