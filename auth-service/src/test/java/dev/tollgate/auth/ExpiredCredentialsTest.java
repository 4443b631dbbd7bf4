package dev.tollgate.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.auth.retention.ExpiredCredentials;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import io.quarkus.mailer.MockMailbox;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.util.UUID;
import org.junit.jupiter.api.Test;

@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class ExpiredCredentialsTest {

    @Inject
    MockMailbox mailbox;

    @Inject
    ExpiredCredentials expired;

    @Test
    void linksAndRefreshTokensLongPastExpiryAreRemovedAndLiveOnesKept() throws Throwable {
        String old = SignInFlow.newAddress();
        Response oldSession = SignInFlow.signIn(mailbox, old);
        Response liveSession = SignInFlow.signIn(mailbox, SignInFlow.newAddress());
        UUID oldFamily = UUID.fromString(oldSession.path("session_id"));
        Sql.update("update auth.magic_link_challenges set expires_at = now() - interval '2 days' where email = ?", old);
        Sql.update("update auth.refresh_tokens set expires_at = now() - interval '2 days' where family_id = ?", oldFamily);

        VertxContextSupport.subscribeAndAwait(() -> expired.remove());

        assertEquals(0, Sql.number("select count(*) from auth.magic_link_challenges where email = ?", old));
        assertEquals(0, Sql.number("select count(*) from auth.refresh_tokens where family_id = ?", oldFamily));
        SignInFlow.refresh(liveSession.path("refresh_token")).then().statusCode(200);
    }
}
