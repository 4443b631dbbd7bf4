package dev.tollgate.account.internal;

import dev.tollgate.account.config.AccountConfig;
import io.quarkus.oidc.client.OidcClient;
import io.quarkus.oidc.client.Tokens;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Calls the other services' internal endpoints with account's client-credentials token (quarkus-oidc-client,
 * client {@code account}), kept until it is about to expire and renewed once if a service refuses it.
 */
@ApplicationScoped
public class InternalServices {

    private final AccountConfig config;
    private final OidcClient client;
    private final WebClient web;
    private volatile Tokens token;

    public InternalServices(AccountConfig config, OidcClient client, Vertx vertx) {
        this.config = config;
        this.client = client;
        this.web = WebClient.create(vertx);
    }

    /** GET {@code url} with the service token; the response whatever its status. */
    public Uni<HttpResponse<Buffer>> get(String url) {
        return serviceToken(false).chain(token -> send(url, token))
                .chain(response -> response.statusCode() == 401
                        ? serviceToken(true).chain(token -> send(url, token))
                        : Uni.createFrom().item(response));
    }

    /** POST {@code url} (no body) with the service token; the response whatever its status. */
    public Uni<HttpResponse<Buffer>> post(String url) {
        return serviceToken(false).chain(token -> send(web.postAbs(url), token))
                .chain(response -> response.statusCode() == 401
                        ? serviceToken(true).chain(token -> send(web.postAbs(url), token))
                        : Uni.createFrom().item(response));
    }

    /** DELETE {@code url} with the service token; the response whatever its status. */
    public Uni<HttpResponse<Buffer>> delete(String url) {
        return serviceToken(false).chain(token -> send(web.deleteAbs(url), token))
                .chain(response -> response.statusCode() == 401
                        ? serviceToken(true).chain(token -> send(web.deleteAbs(url), token))
                        : Uni.createFrom().item(response));
    }

    private Uni<HttpResponse<Buffer>> send(String url, String token) {
        return send(web.getAbs(url), token);
    }

    private Uni<HttpResponse<Buffer>> send(HttpRequest<Buffer> request, String token) {
        return request.bearerTokenAuthentication(token).timeout(config.timeout().toMillis()).send();
    }

    private Uni<String> serviceToken(boolean renew) {
        Tokens current = token;
        if (!renew && current != null && !current.isAccessTokenExpired() && !current.isAccessTokenWithinRefreshInterval()) {
            return Uni.createFrom().item(current.getAccessToken());
        }
        return client.getTokens().invoke(tokens -> token = tokens).map(Tokens::getAccessToken);
    }
}
