package dev.tollgate.billing.stripe;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import dev.tollgate.billing.StripeEmulatorTestResource;
import dev.tollgate.billing.webhook.StripeEvents;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.devstack.DevStack;
import dev.tollgate.devstack.PostgresServer;
import dev.tollgate.devstack.StripeEmulator;
import dev.tollgate.testing.AuthorizationMatrix;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuer;
import dev.tollgate.testing.TestIssuerResource;
import dev.tollgate.testing.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * The Stripe tasks through what Stripe answers: no row lock is held while Stripe answers, a task Stripe refuses for
 * its content is parked for an operator (who retries or discards it), a meter event whose outcome cannot be known
 * any more is parked instead of sent twice, and a task a stopped replica held is taken again once its lease lapses.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(StripeEmulatorTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
class StripeTasksTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final WireMock stripe = new WireMock(StripeEmulator.shared().port());

    @Inject
    EventCodec codec;

    @Test
    void noRowLockIsHeldWhileStripeAnswersAMeterEvent() throws Exception {
        UUID tenant = subscribedToPro();
        StubMapping slow = stripe.register(post(urlPathEqualTo("/v1/billing/meter_events")).atPriority(1)
                .withRequestBody(containing("cus_" + tenant))
                .willReturn(okJson("{\"object\":\"billing.meter_event\",\"event_name\":\"tollgate_tokens\"}")
                        .withFixedDelay(4000)));
        try {
            UsageRecorded usage = usage(tenant);
            Topics.send("usage.recorded", tenant.toString(), codec.encode(usage));
            // claimed: its lease is committed, and the call is under way for the next 4 s
            await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from billing.stripe_tasks where id = ? "
                    + "and leased_until is not null and done_at is null", usage.eventId()) == 1);
            try (Connection sql = DriverManager.getConnection(DevStack.shared().postgres().jdbcUrl(),
                    PostgresServer.USER, PostgresServer.PASSWORD)) {
                sql.setAutoCommit(false);
                try (Statement statement = sql.createStatement()) {
                    statement.execute("set local lock_timeout = '200ms'");
                }
                // neither the task nor the tenant's subscription is locked while Stripe has not answered
                for (String locked : new String[] { "select id from billing.stripe_tasks where id = ? for update nowait",
                        "select tenant_id from billing.subscriptions where tenant_id = ? for update nowait" }) {
                    try (PreparedStatement statement = sql.prepareStatement(locked)) {
                        statement.setObject(1, locked.contains("stripe_tasks") ? usage.eventId() : tenant);
                        statement.executeQuery().close();
                    }
                }
                assertEquals(0, Sql.number("select count(*) from billing.stripe_tasks where id = ? and done_at is not "
                        + "null", usage.eventId()), "the lock was taken while the call was still under way");
                sql.rollback();
            }
            await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from billing.stripe_tasks where id = ? "
                    + "and done_at is not null and leased_until is null and uncertain_since is null",
                    usage.eventId()) == 1);
            assertEquals(1, calls(usage.eventId()));
        } finally {
            stripe.removeStubMapping(slow);
        }
    }

    @Test
    void aMeterEventStripeRefusesIsParkedAfterOneCallAndSentAgainWhenAnOperatorRetriesIt() throws Exception {
        UUID tenant = subscribedToPro();
        StubMapping refusal = stripe.register(post(urlPathEqualTo("/v1/billing/meter_events")).atPriority(1)
                .withRequestBody(containing("cus_" + tenant))
                .willReturn(aResponse().withStatus(400).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"resource_missing\","
                                + "\"message\":\"No such customer: 'cus_" + tenant + "'\"}}")));
        UsageRecorded usage = usage(tenant);
        long parkedBefore = Sql.number("select count(*) from billing.stripe_tasks where parked_at is not null and "
                + "done_at is null");
        try {
            Topics.send("usage.recorded", tenant.toString(), codec.encode(usage));
            await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from billing.stripe_tasks where id = ? "
                    + "and parked_at is not null", usage.eventId()) == 1);
            assertTrue(Sql.text("select last_error from billing.stripe_tasks where id = ?", usage.eventId())
                    .contains("No such customer"));
            // parked, it is not tried again
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> calls(usage.eventId()) == 1);
            // the gauge operators alert on counts it (after the next pass)
            await().atMost(PATIENCE).until(() -> gauge("tollgate_billing_stripe_tasks_parked") == parkedBefore + 1);
            given().auth().oauth2(operator()).get("/billing/operator/stripe-tasks").then().statusCode(200)
                    .body("id", hasItem(usage.eventId().toString()));
        } finally {
            stripe.removeStubMapping(refusal);
        }
        // the customer fixed at Stripe, the operator retries: sent once more, and done
        given().auth().oauth2(operator()).post("/billing/operator/stripe-tasks/" + usage.eventId() + "/retry")
                .then().statusCode(200).body("parkedAt", equalTo(null));
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from billing.stripe_tasks where id = ? "
                + "and done_at is not null", usage.eventId()) == 1);
        assertEquals(2, calls(usage.eventId()));
        // a task that is not parked cannot be retried
        given().auth().oauth2(operator()).post("/billing/operator/stripe-tasks/" + usage.eventId() + "/retry")
                .then().statusCode(404);
    }

    @Test
    void aMeterEventLeftUnansweredPastStripesDedupeWindowIsParkedAndNeverSentAgainUnlessAnOperatorSays() {
        UUID tenant = UUID.randomUUID();
        UUID unknown = meterTask(tenant, Instant.now().minus(Duration.ofHours(25)), null);
        // and one a stopped replica held an hour ago: taken again once its lease lapsed, sent with its key
        UUID abandoned = meterTask(tenant, Instant.now().minus(Duration.ofHours(1)),
                Instant.now().minus(Duration.ofMinutes(55)));

        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from billing.stripe_tasks where id = ? "
                + "and parked_at is not null", unknown) == 1);
        assertTrue(Sql.text("select last_error from billing.stripe_tasks where id = ?", unknown)
                .contains("dedupe window"));
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from billing.stripe_tasks where id = ? "
                + "and done_at is not null", abandoned) == 1);
        assertEquals(0, calls(unknown), "a meter event that may have arrived is not sent again");
        assertEquals(1, calls(abandoned));

        // the operator finds it at Stripe and closes it
        given().auth().oauth2(operator()).contentType(ContentType.JSON).body("{}")
                .post("/billing/operator/stripe-tasks/" + unknown + "/discard").then().statusCode(400);
        given().auth().oauth2(operator()).contentType(ContentType.JSON)
                .body("{\"reason\":\"found at Stripe: it arrived\"}")
                .post("/billing/operator/stripe-tasks/" + unknown + "/discard").then().statusCode(200)
                .body("resolution", equalTo("discarded: found at Stripe: it arrived"));
        assertEquals(1, Sql.number("select count(*) from billing.stripe_tasks where id = ? and done_at is not null",
                unknown));
        assertEquals(0, calls(unknown));
        given().auth().oauth2(operator()).contentType(ContentType.JSON).body("{\"reason\":\"again\"}")
                .post("/billing/operator/stripe-tasks/" + UUID.randomUUID() + "/discard").then().statusCode(404);
    }

    private static UUID subscribedToPro() {
        UUID tenant = UUID.randomUUID();
        StripeEvents.subscribe(tenant, StripeEvents.PRICE_PRO, System.currentTimeMillis() / 1000 - 60);
        return tenant;
    }

    private static UsageRecorded usage(UUID tenant) {
        return UsageRecorded.of(tenant, UUID.randomUUID(), "generation", "large", "gen-" + UUID.randomUUID(),
                Map.of(UsageRecorded.GENERATIONS, 1L, UsageRecorded.INPUT_TOKENS, 100L, UsageRecorded.OUTPUT_TOKENS,
                        20L));
    }

    /** A meter event task as a replica left it: a call made at {@code uncertainSince}, its lease {@code leased}. */
    private static UUID meterTask(UUID tenant, Instant uncertainSince, Instant leased) {
        UUID id = UUID.randomUUID();
        Sql.update("insert into billing.stripe_tasks (id, kind, tenant_id, stripe_customer_id, meter_value, "
                + "occurred_at, attempts, next_attempt_at, uncertain_since, leased_until) values (?, 'meter-event', ?, "
                + "?, 120, now(), 1, now(), ?, ?)", id, tenant, "cus_" + tenant, Timestamp.from(uncertainSince),
                leased == null ? null : Timestamp.from(leased));
        return id;
    }

    private long calls(UUID task) {
        return stripe.find(postRequestedFor(urlPathEqualTo("/v1/billing/meter_events"))).stream()
                .filter(request -> request.getBodyAsString().contains(task.toString())).count();
    }

    private static String operator() {
        return TestIssuer.shared().sign(TestIssuer.claims(AuthorizationMatrix.OPERATOR, UUID.randomUUID(), "member"));
    }

    private static double gauge(String name) {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).max().orElse(-1);
    }
}
