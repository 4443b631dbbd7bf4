package dev.tollgate.common.security;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsInAnyOrder;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.common.event.ApiKeyChanged;
import dev.tollgate.common.event.ApiKeyRevoked;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.MemberChanged;
import dev.tollgate.common.event.SigningKeyRevoked;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.TestIssuer;
import dev.tollgate.testing.TestIssuerResource;
import dev.tollgate.testing.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.smallrye.reactive.messaging.kafka.KafkaClientService;
import jakarta.enterprise.event.Event;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.jose4j.jwt.JwtClaims;
import org.jose4j.jwt.NumericDate;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A token outlives the credential it was signed for by minutes; the service does not: a revoked key's tokens, and a
 * member's tokens from before they left or were demoted, are refused within seconds of the change reaching Kafka.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
class CredentialChangesTest {

    private static final String PROBLEMS = "https://tollgate.dev/problems/";

    @Inject
    EventCodec codec;
    @Inject
    SecurityConfig security;
    @Inject
    Event<ApiKeyRevoked> revocations;
    @Inject
    Event<ApiKeyChanged> keyChanges;
    @Inject
    Event<SigningKeyRevoked> signingKeyRevocations;
    @Inject
    MeterRegistry registry;
    @Inject
    KafkaClientService kafka;

    /**
     * A test of this JVM stops Kafka (the relay's outage); the credential consumer must hold its partitions again
     * before an event is sent, or the five seconds would count its reconnection.
     */
    @BeforeEach
    void credentialChangesAreReadAgain() {
        await().atMost(Duration.ofMinutes(2)).until(() -> !kafka.getConsumer("credential-changes").getAssignments()
                .await().atMost(Duration.ofSeconds(10)).isEmpty());
    }

    @Test
    void aRevokedKeysTokenIsRefusedWithinFiveSeconds() {
        UUID user = UUID.randomUUID();
        UUID tenant = UUID.randomUUID();
        UUID key = UUID.randomUUID();
        String token = TestIssuer.shared().sign(TestIssuer.apiKeyClaims(user, tenant, key, "usage:read"));
        String sibling = TestIssuer.shared().sign(TestIssuer.apiKeyClaims(user, tenant, UUID.randomUUID(), "usage:read"));
        RestAssured.given().auth().oauth2(token).get("/caller").then().statusCode(200)
                .body("kind", equalTo("API_KEY")).body("apiKeyId", equalTo(key.toString()));

        Topics.send("apikey.revoked", tenant.toString(), codec.encode(ApiKeyRevoked.of(tenant, key, "abcdefghijkl")));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> RestAssured.given().auth().oauth2(token)
                .get("/caller").then().statusCode(401).body("type", equalTo(PROBLEMS + "api-key-revoked")));
        RestAssured.given().auth().oauth2(sibling).get("/caller").then().statusCode(200);
    }

    @Test
    void tokensOfARevokedSigningKeyAreRefusedWithinFiveSeconds() {
        String before = TestIssuer.shared().sign(TestIssuer.claims(UUID.randomUUID(), UUID.randomUUID(), "owner"));
        String kid = CallerFromToken.kid(before);
        RestAssured.given().auth().oauth2(before).get("/caller").then().statusCode(200).body("signingKeyId", equalTo(kid));

        Topics.send("signingkey.revoked", SigningKeyRevoked.PLATFORM.toString(),
                codec.encode(SigningKeyRevoked.of(kid)));

        try {
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> RestAssured.given().auth().oauth2(before)
                    .get("/caller").then().statusCode(401).body("type", equalTo(PROBLEMS + "token-key-revoked")));
        } finally {
            // the shared issuer's key is revoked now: the next tests sign with a new one, whatever happened here
            TestIssuer.shared().rotate();
        }
        String after = TestIssuer.shared().sign(TestIssuer.claims(UUID.randomUUID(), UUID.randomUUID(), "owner"));
        await().atMost(Duration.ofSeconds(75)).untilAsserted(() -> RestAssured.given().auth().oauth2(after)
                .get("/caller").then().statusCode(200));
    }

    @Test
    void aMemberWhoLeftIsRefusedAndADemotedOneLosesTheRole() {
        UUID tenant = UUID.randomUUID();
        UUID leaving = UUID.randomUUID();
        UUID demoted = UUID.randomUUID();
        String leavingToken = TestIssuer.shared().sign(TestIssuer.claims(leaving, tenant, "member"));
        String demotedToken = TestIssuer.shared().sign(TestIssuer.claims(demoted, tenant, "owner"));
        RestAssured.given().auth().oauth2(leavingToken).get("/caller").then().statusCode(200);
        RestAssured.given().auth().oauth2(demotedToken).get("/caller").then().statusCode(200)
                .body("roles", containsInAnyOrder("owner"));

        Topics.send("member.changed", tenant.toString(), codec.encode(MemberChanged.of(tenant, leaving, null)));
        Topics.send("member.changed", tenant.toString(), codec.encode(MemberChanged.of(tenant, demoted, "member")));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> RestAssured.given().auth().oauth2(leavingToken)
                .get("/caller").then().statusCode(403).body("type", equalTo(PROBLEMS + "membership-ended")));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> RestAssured.given().auth().oauth2(demotedToken)
                .get("/caller").then().statusCode(200).body("roles", containsInAnyOrder("member")));
        // a token signed after the change (past the slack for clocks and commits) is trusted as it is: here it
        // says admin, as after a promotion this replica has not heard of
        JwtClaims later = TestIssuer.claims(demoted, tenant, "admin");
        later.setIssuedAt(NumericDate.fromSeconds(System.currentTimeMillis() / 1000 + 10));
        RestAssured.given().auth().oauth2(TestIssuer.shared().sign(later)).get("/caller").then().statusCode(200)
                .body("roles", containsInAnyOrder("admin"));

        // invited back, the member who left gets nothing from what was issued before they left
        JwtClaims fromBefore = TestIssuer.apiKeyClaims(leaving, tenant, UUID.randomUUID(), "usage:read");
        fromBefore.setIssuedAt(NumericDate.fromSeconds(System.currentTimeMillis() / 1000 - 60));
        String keyToken = TestIssuer.shared().sign(fromBefore);
        Topics.send("member.changed", tenant.toString(), codec.encode(MemberChanged.of(tenant, leaving, "member")));
        JwtClaims rejoined = TestIssuer.claims(leaving, tenant, "member");
        rejoined.setIssuedAt(NumericDate.fromSeconds(System.currentTimeMillis() / 1000 + 10));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> RestAssured.given().auth()
                .oauth2(TestIssuer.shared().sign(rejoined)).get("/caller").then().statusCode(200));
        RestAssured.given().auth().oauth2(leavingToken).get("/caller").then().statusCode(403)
                .body("type", equalTo(PROBLEMS + "membership-ended"));
        RestAssured.given().auth().oauth2(keyToken).get("/caller").then().statusCode(403)
                .body("type", equalTo(PROBLEMS + "membership-ended"));
    }

    @Test
    void aReplicaIsNotReadyBeforeItHasReadTheChangesAnnouncedBeforeItStarted() {
        UUID tenant = UUID.randomUUID();
        UUID key = UUID.randomUUID();
        Topics.send("apikey.revoked", tenant.toString(), codec.encode(ApiKeyRevoked.of(tenant, key, "abcdefghijkl")));
        String token = TestIssuer.shared().sign(TestIssuer.apiKeyClaims(UUID.randomUUID(), tenant, key, "usage:read"));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> RestAssured.given().auth().oauth2(token)
                .get("/caller").then().statusCode(401));
        // this replica has read them: its readiness says so
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> RestAssured.get("/q/health/ready").then()
                .body("checks.find { it.name == 'credential changes read' }.status", equalTo("UP")));

        // a replica starting now has read nothing yet: not ready, however many records it is behind
        CredentialChanges starting = new CredentialChanges(security, codec, revocations, keyChanges, signingKeyRevocations,
                registry);
        CredentialChangesReadiness readiness = new CredentialChangesReadiness(kafka, starting, security, registry);
        HealthCheckResponse before = readiness.call().await().atMost(Duration.ofSeconds(15));
        assertEquals(HealthCheckResponse.Status.DOWN, before.getStatus());
        assertTrue((Long) before.getData().orElseThrow().get("records behind") > 0, before.getData().toString());
        assertFalse(starting.isRevoked(key));
        // a replica whose patience ran out before the broker answered serves anyway, and says it has not caught up
        SecurityConfig impatient = new SecurityConfig() {
            @Override
            public java.util.Optional<java.util.List<String>> operators() {
                return security.operators();
            }

            @Override
            public Duration changesRemembered() {
                return security.changesRemembered();
            }

            @Override
            public Duration catchUpPatience() {
                return Duration.ZERO;
            }

            @Override
            public java.util.List<String> trustedProxies() {
                return security.trustedProxies();
            }
        };
        HealthCheckResponse served = new CredentialChangesReadiness(kafka, new CredentialChanges(security, codec,
                revocations, keyChanges, signingKeyRevocations, registry), impatient, registry).call().await()
                .atMost(Duration.ofSeconds(15));
        assertEquals(HealthCheckResponse.Status.UP, served.getStatus());
        assertEquals(false, served.getData().orElseThrow().get("caught up"));

        // once it has read what was there, it is ready, knows the revocation, and stays ready
        for (String topic : CredentialChanges.TOPICS) {
            Topics.records(topic).forEach(starting::consume);
        }
        assertTrue(starting.isRevoked(key));
        assertEquals(HealthCheckResponse.Status.UP, readiness.call().await().atMost(Duration.ofSeconds(15)).getStatus());
        Topics.send("apikey.revoked", tenant.toString(), codec.encode(ApiKeyRevoked.of(tenant, UUID.randomUUID(),
                "abcdefghijkl")));
        assertEquals(HealthCheckResponse.Status.UP, readiness.call().await().atMost(Duration.ofSeconds(15)).getStatus());
    }
}
