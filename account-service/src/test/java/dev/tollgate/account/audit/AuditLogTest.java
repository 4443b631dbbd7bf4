package dev.tollgate.account.audit;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.account.FakeAuth;
import dev.tollgate.common.event.AuditRecorded;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuer;
import dev.tollgate.testing.TestIssuerResource;
import dev.tollgate.testing.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.vertx.VertxContextSupport;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.jose4j.jwt.JwtClaims;
import org.junit.jupiter.api.Test;

/**
 * GET /account/audit: every service's audit.recorded over the real broker, append-only, read by the tenant's
 * owners and admins only, pseudonymized when the user is erased, pruned after the retention.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeAuth.class)
class AuditLogTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Inject
    EventCodec codec;

    @Inject
    PruneAudit prune;

    @Test
    void ownersAndAdminsReadTheirTenantsLogNewestFirstFilteredAndPaged() {
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        send(AuditRecorded.of(tenant, "auth", "auth.signed-in", user.toString(), user, "203.0.113.7",
                Map.of("session", "s-1")));
        send(AuditRecorded.of(tenant, "auth", "auth.api-key-created", user.toString(), user, null,
                Map.of("keyId", "k-1", "prefix", "tg_live_abc")));
        send(AuditRecorded.of(tenant, "billing", "billing.plan-changed", "stripe", null, null, Map.of("plan", "pro")));
        send(AuditRecorded.of(UUID.randomUUID(), "auth", "auth.signed-in", user.toString(), user, null, Map.of()));
        // and one account-service records itself: the owner's consent
        Callers.as(user, tenant, "owner").body("{\"marketingConsent\":true}").patch("/account/me").then().statusCode(200);
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from account.audit_log where tenant_id = ?",
                tenant) == 4);

        Callers.as(UUID.randomUUID(), tenant, "admin").get("/account/audit").then().statusCode(200)
                .body("entries", hasSize(4))
                .body("entries.action", contains("account.consent-changed", "billing.plan-changed",
                        "auth.api-key-created", "auth.signed-in"))
                .body("entries[3].ip", equalTo("203.0.113.7"))
                .body("entries[1].details.plan", equalTo("pro"));
        Callers.as(user, tenant, "owner").get("/account/audit?action=auth.signed-in").then()
                .body("entries", hasSize(1)).body("entries[0].details.session", equalTo("s-1"));
        Callers.as(user, tenant, "owner").get("/account/audit?actor=stripe").then().body("entries", hasSize(1));
        String cursor = String.valueOf(Callers.as(user, tenant, "owner").get("/account/audit?limit=3").then()
                .body("entries", hasSize(3)).extract().path("nextCursor").toString());
        Callers.as(user, tenant, "owner").get("/account/audit?limit=3&cursor=" + cursor).then()
                .body("entries.action", contains("auth.signed-in")).body("nextCursor", nullValue());
        Callers.as(user, tenant, "owner").get("/account/audit?from=not-a-time").then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/time-invalid"));
        Callers.as(user, tenant, "member").get("/account/audit").then().statusCode(403);
        Callers.as(user, UUID.randomUUID(), "owner").get("/account/audit").then().body("entries", hasSize(0));
    }

    @Test
    void theLogIsAppendOnly() {
        UUID tenant = UUID.randomUUID();
        send(AuditRecorded.of(tenant, "auth", "auth.signed-in", "someone", null, null, Map.of()));
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from account.audit_log where tenant_id = ?",
                tenant) == 1);
        RuntimeException refused = assertThrows(RuntimeException.class, () -> Sql.update(
                "update account.audit_log set action = 'rewritten' where tenant_id = ?", tenant));
        assertTrue(String.valueOf(refused.getCause() == null ? refused.getMessage() : refused.getCause().getMessage())
                .contains("append-only"), refused.toString());
        assertThrows(RuntimeException.class, () -> Sql.update("delete from account.audit_log where tenant_id = ?", tenant));
        assertEquals(1, Sql.number("select count(*) from account.audit_log where tenant_id = ? and action = 'auth.signed-in'",
                tenant));
    }

    @Test
    void anErasedUsersEntriesStayUnderAPseudonymAndOldEntriesArePruned() throws Throwable {
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        send(AuditRecorded.of(tenant, "auth", "auth.signed-in", user.toString(), user, "198.51.100.4", Map.of()));
        send(new AuditRecorded(UUID.randomUUID(), Instant.now().minus(Duration.ofDays(500)), tenant,
                AuditRecorded.SCHEMA_VERSION, "auth", "auth.signed-in", "someone-else", null, null, Map.of()));
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from account.audit_log where tenant_id = ?",
                tenant) == 2);

        FakeAuth.scope(user, List.of(tenant), List.of());
        JwtClaims claims = TestIssuer.claims(user, tenant, "owner");
        claims.setClaim("sid", UUID.randomUUID().toString());
        claims.setClaim("auth_time", System.currentTimeMillis() / 1000);
        String deletion = RestAssured.given().contentType(ContentType.JSON).auth().oauth2(TestIssuer.shared().sign(claims))
                .delete("/account/me").then().statusCode(202).extract().path("deletionId");
        String pseudonym = RecordAudit.pseudonym(UUID.fromString(deletion)).toString();

        assertEquals(0, Sql.number("select count(*) from account.audit_log where user_id = ? or actor = ?", user,
                user.toString()));
        assertEquals(1, Sql.number("select count(*) from account.audit_log where tenant_id = ? and action = 'auth.signed-in' "
                + "and user_id = ?::uuid and actor = ? and ip is null", tenant, pseudonym, "erased:" + deletion));
        // an action of theirs still on its way arrives after the erasure: stored under the same pseudonym
        send(AuditRecorded.of(tenant, "auth", "auth.api-key-revoked", user.toString(), user, "198.51.100.4", Map.of()));
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from account.audit_log where tenant_id = ? "
                + "and action = 'auth.api-key-revoked' and user_id = ?::uuid and ip is null", tenant, pseudonym) == 1);
        assertEquals(0, Sql.number("select count(*) from account.audit_log where user_id = ?", user));

        int pruned = VertxContextSupport.subscribeAndAwait(() -> prune.prune());
        assertTrue(pruned >= 1, "the 500-day-old entry is past the 400-day retention");
        assertEquals(0, Sql.number("select count(*) from account.audit_log where tenant_id = ? and actor = 'someone-else'",
                tenant));
        assertTrue(Sql.number("select count(*) from account.audit_log where tenant_id = ?", tenant) >= 2);
    }

    private void send(AuditRecorded event) {
        Topics.send("audit.recorded", event.tenantId().toString(), codec.encode(event));
    }
}
