package dev.tollgate.billing.subscription;

import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tollgate.billing.StripeEmulatorTestResource;
import dev.tollgate.billing.webhook.StripeEvents;
import dev.tollgate.devstack.StripeEmulator;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A second live subscription Stripe reports for a tenant is cancelled at Stripe and its payments refunded; the
 * tenant keeps the paid one, and a subscription Stripe had ended long before is left alone.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(StripeEmulatorTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
class DuplicateSubscriptionTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final WireMock stripe = new WireMock(StripeEmulator.shared().port());

    @Test
    void aSecondLiveSubscriptionIsCancelledAndRefundedAndTheFirstStays() {
        UUID tenant = UUID.randomUUID();
        String first = "sub_first_" + tenant.toString().replace("-", "");
        String second = "sub_second_" + tenant.toString().replace("-", "");
        long now = System.currentTimeMillis() / 1000;
        subscription(tenant, first, StripeEvents.PRICE_PRO, "active", now - 10);
        double before = duplicatesCounted();
        // paid in a second tab before the first's webhook arrived
        subscription(tenant, second, StripeEvents.PRICE_BASIC, "active", now - 9);

        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from billing.stripe_tasks where kind = "
                + "'cancel-duplicate' and stripe_subscription_id = ? and done_at is not null", second) == 1);
        assertEquals(1, stripe.find(deleteRequestedFor(urlPathEqualTo("/v1/subscriptions/" + second))).size());
        List<LoggedRequest> refunds = refunds(second);
        assertEquals(1, refunds.size());
        String form = URLDecoder.decode(refunds.get(0).getBodyAsString(), StandardCharsets.UTF_8);
        assertTrue(form.contains("payment_intent=pi_in_" + second) && form.contains("reason=duplicate"), form);
        assertTrue(form.contains("amount=900"), form);
        assertEquals("tollgate-refund-in_" + second + "-pi_in_" + second, refunds.get(0).getHeader("Idempotency-Key"));
        assertTrue(duplicatesCounted() >= before + 1, "the duplicate is counted for the alert");
        plan(tenant, "pro", first);

        // Stripe's later word on the second changes nothing: its cancellation, a late or repeated creation
        subscription(tenant, second, StripeEvents.PRICE_BASIC, "canceled", now - 1);
        subscription(tenant, second, StripeEvents.PRICE_BASIC, "active", now - 8);
        plan(tenant, "pro", first);
        assertEquals(1, Sql.number("select count(*) from billing.stripe_tasks where stripe_subscription_id = ?", second));
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4)).until(() -> refunds(second).size() == 1);
    }

    @Test
    void anUnpaidFirstSubscriptionGivesWayToAPaidSecond() {
        UUID tenant = UUID.randomUUID();
        String first = "sub_unpaid_" + tenant.toString().replace("-", "");
        String second = "sub_paid_" + tenant.toString().replace("-", "");
        long now = System.currentTimeMillis() / 1000;
        subscription(tenant, first, StripeEvents.PRICE_PRO, "incomplete", now - 10);
        subscription(tenant, second, StripeEvents.PRICE_BASIC, "active", now - 9);

        plan(tenant, "basic", second);
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from billing.stripe_tasks where kind = "
                + "'cancel-duplicate' and stripe_subscription_id = ? and done_at is not null", first) == 1);
        assertEquals(1, stripe.find(deleteRequestedFor(urlPathEqualTo("/v1/subscriptions/" + first))).size());
        assertEquals(0, stripe.find(deleteRequestedFor(urlPathEqualTo("/v1/subscriptions/" + second))).size());
    }

    @Test
    void aLateEventOfASubscriptionThatEndedBeforeTheKeptOneBeganRefundsNothing() {
        UUID tenant = UUID.randomUUID();
        String old = "sub_old_" + tenant.toString().replace("-", "");
        String current = "sub_now_" + tenant.toString().replace("-", "");
        long now = System.currentTimeMillis() / 1000;
        StubMapping ended = stripe.register(get(urlPathEqualTo("/v1/subscriptions/" + old)).atPriority(1)
                .willReturn(okJson("{\"id\":\"" + old + "\",\"object\":\"subscription\",\"status\":\"canceled\","
                        + "\"created\":" + (now - 40 * 86400) + ",\"canceled_at\":" + (now - 5 * 86400) + ","
                        + "\"ended_at\":" + (now - 5 * 86400) + ",\"customer\":\"cus_" + tenant + "\"}")));
        try {
            subscription(tenant, current, StripeEvents.PRICE_PRO, "active", now - 10);
            // the old subscription's "active" of long ago, delivered late (the kept one began 3 days ago, as the
            // emulator answers)
            subscription(tenant, old, StripeEvents.PRICE_BASIC, "active", now - 6 * 86400);
            await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from billing.stripe_tasks where kind = "
                    + "'cancel-duplicate' and stripe_subscription_id = ? and done_at is not null", old) == 1);
        } finally {
            stripe.removeStubMapping(ended);
        }
        assertEquals(0, stripe.find(deleteRequestedFor(urlPathEqualTo("/v1/subscriptions/" + old))).size());
        assertEquals(0, refunds(old).size());
        plan(tenant, "pro", current);
    }

    private static void subscription(UUID tenant, String id, String price, String status, long created) {
        StripeEvents.post(StripeEvents.subscription("customer.subscription.updated", created, tenant, id,
                "cus_" + tenant, price, status, false, created)).then().statusCode(200);
    }

    private static void plan(UUID tenant, String plan, String subscription) {
        Callers.as(UUID.randomUUID(), tenant, "member").get("/billing/subscription").then().statusCode(200)
                .body("plan", equalTo(plan));
        assertEquals(subscription, Sql.text("select stripe_subscription_id from billing.subscriptions where "
                + "tenant_id = ?", tenant));
    }

    private List<LoggedRequest> refunds(String subscription) {
        return stripe.find(postRequestedFor(urlPathEqualTo("/v1/refunds"))).stream()
                .filter(request -> URLDecoder.decode(request.getBodyAsString(), StandardCharsets.UTF_8)
                        .contains("metadata[duplicate_subscription]=" + subscription))
                .toList();
    }

    private static double duplicatesCounted() {
        String metrics = given().get("/q/metrics").then().statusCode(200).extract().asString();
        return metrics.lines().filter(line -> line.startsWith("tollgate_billing_subscription_duplicates_total"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1))).sum();
    }
}
