package dev.tollgate.billing.webhook;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.hasItems;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.SubscriptionChanged;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.RawRequests;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.hamcrest.Matchers;
import org.junit.jupiter.api.Test;

/** POST /billing/webhooks/stripe with events signed as Stripe signs them, against real PostgreSQL and Kafka. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
class StripeWebhookTest {

    private static final long DAY = 86_400;

    @Inject
    EventCodec codec;

    @Test
    void theCatalogListsTheFreeTierAndThePaidPlansWithTheirEntitlements() {
        RestAssured.get("/billing/plans").then().statusCode(200)
                .body("name", Matchers.contains("free", "basic", "pro", "enterprise"))
                .body("find { it.name == 'pro' }.monthlyPriceCents", Matchers.equalTo(2900))
                .body("find { it.name == 'pro' }.purchasable", Matchers.equalTo(true))
                .body("find { it.name == 'pro' }.entitlements.allowedModels", hasItems("small", "large"))
                .body("find { it.name == 'basic' }.entitlements.monthlyQuotas.generations", Matchers.equalTo(2000))
                .body("find { it.name == 'enterprise' }.purchasable", Matchers.equalTo(false));
    }

    @Test
    void aSubscriptionEventIsAppliedOnceHoweverOftenItArrives() {
        UUID tenant = UUID.randomUUID();
        long now = System.currentTimeMillis() / 1000;
        String event = StripeEvents.subscription("customer.subscription.created", now, tenant, "sub_" + tenant,
                "cus_" + tenant, StripeEvents.PRICE_PRO, "active", false, now - DAY);
        for (int i = 0; i < 5; i++) {
            post(event).then().statusCode(200).body("outcome", Matchers.equalTo(i == 0 ? "applied" : "duplicate"));
        }
        assertEquals(1, Sql.number("select count(*) from billing.subscriptions where tenant_id = ? and plan = 'pro' "
                + "and status = 'active'", tenant));
        assertEquals(1, announcements(tenant), "one subscription.changed for one change");
        assertEquals(1, Sql.number("select count(*) from billing.outbox where topic = 'audit.recorded' and message_key = ? "
                + "and payload like '%billing.plan-changed%'", tenant.toString()), "one entry for the tenant's audit log");
        SubscriptionChanged changed = codec.decode(Sql.text("select payload from billing.outbox "
                + "where topic = 'subscription.changed' and message_key = ?",
                tenant.toString()), EventType.SUBSCRIPTION_CHANGED);
        assertEquals("pro", changed.plan());
        assertEquals(10_000L, changed.entitlements().monthlyQuotas().get("generations"));
        assertEquals(now - DAY, changed.currentPeriodStart().getEpochSecond(), "the billing anchor is Stripe's");
        String published = Topics.find("subscription.changed", Duration.ofSeconds(20),
                record -> record.contains(tenant.toString()));
        assertNotNull(published, "the change reached Kafka through the outbox");
        await().atMost(Duration.ofSeconds(20)).until(() -> Sql.number("select count(*) from billing.outbox "
                + "where message_key = ? and published_at is null", tenant.toString()) == 0);
        assertEquals(1, Topics.readAll("subscription.changed").stream().filter(record -> record.contains(tenant.toString()))
                .count(), "one change, five deliveries: one subscription.changed on the broker");
        assertEquals(1, changed.version(), "the tenant's first announcement");
        // the next change is the tenant's second announcement
        post(StripeEvents.subscription("customer.subscription.updated", now + 1, tenant, "sub_" + tenant, "cus_" + tenant,
                StripeEvents.PRICE_PRO, "past_due", false, now - DAY)).then().statusCode(200);
        assertEquals(2, codec.decode(Sql.text("select payload from billing.outbox where topic = 'subscription.changed' "
                + "and message_key = ? order by id desc limit 1", tenant.toString()), EventType.SUBSCRIPTION_CHANGED)
                .version());
    }

    @Test
    void eventsArrivingOutOfOrderEndInTheStateOfTheNewest() {
        UUID tenant = UUID.randomUUID();
        String sub = "sub_" + tenant;
        String customer = "cus_" + tenant;
        long t = System.currentTimeMillis() / 1000 - 600;
        List<String> lifecycle = List.of(
                StripeEvents.checkoutCompleted(t, tenant, customer),
                StripeEvents.subscription("customer.subscription.created", t + 1, tenant, sub, customer,
                        StripeEvents.PRICE_BASIC, "incomplete", false, t),
                StripeEvents.subscription("customer.subscription.updated", t + 2, tenant, sub, customer,
                        StripeEvents.PRICE_BASIC, "active", false, t),
                StripeEvents.subscription("customer.subscription.updated", t + 60, tenant, sub, customer,
                        StripeEvents.PRICE_PRO, "active", false, t),
                StripeEvents.subscription("customer.subscription.updated", t + 120, tenant, sub, customer,
                        StripeEvents.PRICE_PRO, "active", true, t));
        // delivered newest first, then the rest out of order: [t+120, t+2, checkout, t+60, t+1]
        List<String> delivered = List.of(lifecycle.get(4), lifecycle.get(2), lifecycle.get(0), lifecycle.get(3),
                lifecycle.get(1));
        delivered.forEach(event -> post(event).then().statusCode(200).body("outcome", Matchers.equalTo("applied")));

        assertEquals(1, Sql.number("select count(*) from billing.subscriptions where tenant_id = ? and plan = 'pro' "
                + "and status = 'active' and cancel_at_period_end", tenant), "the newest event's state, whatever the order");
        assertEquals(1, Sql.number("select count(*) from billing.customers where tenant_id = ? and stripe_customer_id = ?",
                tenant, customer));
        assertEquals(1, announcements(tenant), "the older events, arriving later, changed nothing and announced nothing");

        // the subscription ends: back to the free plan, announced without a billing period
        post(StripeEvents.subscription("customer.subscription.deleted", t + 300, tenant, sub, customer,
                StripeEvents.PRICE_PRO, "canceled", false, t)).then().statusCode(200);
        // a late update from before the end changes nothing
        post(StripeEvents.subscription("customer.subscription.updated", t + 200, tenant, sub, customer,
                StripeEvents.PRICE_PRO, "past_due", false, t)).then().statusCode(200);
        assertEquals(1, Sql.number("select count(*) from billing.subscriptions where tenant_id = ? and plan = 'free' "
                + "and status = 'canceled'", tenant));
        SubscriptionChanged last = codec.decode(Sql.text("select payload from billing.outbox "
                + "where topic = 'subscription.changed' and message_key = ? "
                + "order by created_at desc, id desc limit 1", tenant.toString()), EventType.SUBSCRIPTION_CHANGED);
        assertEquals("free", last.plan());
        assertEquals("canceled", last.status());
        assertEquals(null, last.currentPeriodStart());
    }

    @Test
    void unsignedWronglySignedStaleOrAlteredEventsAre400AndApplyNothing() {
        UUID tenant = UUID.randomUUID();
        long now = System.currentTimeMillis() / 1000;
        String event = StripeEvents.subscription("customer.subscription.created", now, tenant, "sub_" + tenant,
                "cus_" + tenant, StripeEvents.PRICE_PRO, "active", false, now);

        RestAssured.given().body(event).post("/billing/webhooks/stripe").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", Matchers.equalTo("https://tollgate.dev/problems/webhook-signature-invalid"));
        RestAssured.given().header("Stripe-Signature", StripeEvents.signature(event, now, "whsec_someone_else"))
                .body(event).post("/billing/webhooks/stripe").then().statusCode(400);
        RestAssured.given().header("Stripe-Signature", StripeEvents.signature(event, now - 3600, StripeEvents.SECRET))
                .body(event).post("/billing/webhooks/stripe").then().statusCode(400)
                .body("detail", containsString("tolerance"));
        String signature = StripeEvents.signature(event);
        RestAssured.given().header("Stripe-Signature", signature).body(event.replace("price_local_pro", "price_local_basic"))
                .post("/billing/webhooks/stripe").then().statusCode(400);

        // signed, but not a readable Stripe event (Stripe always names its API version)
        String unreadable = event.replace("\"api_version\":\"2025-01-27.acacia\",", "");
        RestAssured.given().header("Stripe-Signature", StripeEvents.signature(unreadable)).body(unreadable)
                .post("/billing/webhooks/stripe").then().statusCode(400)
                .body("type", Matchers.equalTo("https://tollgate.dev/problems/webhook-malformed"));
        // larger than an event can be: refused before it is read, signed or not, and when it does not say its length
        String padded = event.replace("\"livemode\"", "\"padding\":\"" + "x".repeat(300 * 1024) + "\",\"livemode\"");
        String declared = RawRequests.declaringALength("/billing/webhooks/stripe", padded.length());
        assertTrue(declared.startsWith("HTTP/1.1 413") && declared.contains("body-too-large"), declared);
        RestAssured.given().header("Stripe-Signature", StripeEvents.signature(padded))
                .body(new java.io.ByteArrayInputStream(padded.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
                .post("/billing/webhooks/stripe")
                .then().statusCode(413).contentType("application/problem+json")
                .body("type", Matchers.equalTo("https://tollgate.dev/problems/body-too-large"));
        assertEquals(0, Sql.number("select count(*) from billing.subscriptions where tenant_id = ?", tenant));
        assertEquals(0, announcements(tenant));
        // the genuine one still applies
        RestAssured.given().header("Stripe-Signature", signature).body(event).post("/billing/webhooks/stripe")
                .then().statusCode(200).body("outcome", Matchers.equalTo("applied"));
    }

    @Test
    void onlyAPaidOrGracedSubscriptionGivesItsPlan() {
        long now = System.currentTimeMillis() / 1000;
        Map<String, String> expected = new LinkedHashMap<>();
        expected.put("active", "pro");
        expected.put("trialing", "pro");
        expected.put("past_due", "pro"); // within the grace period, which starts now
        expected.put("unpaid", "pro");
        expected.put("incomplete", "free");
        expected.put("incomplete_expired", "free");
        expected.put("paused", "free");
        expected.put("canceled", "free");
        expected.put("a_status_stripe_adds_later", "free");
        Map<String, String> seen = new LinkedHashMap<>();
        expected.keySet().forEach(status -> {
            UUID tenant = UUID.randomUUID();
            post(StripeEvents.subscription("customer.subscription.created", now, tenant, "sub_" + tenant,
                    "cus_" + tenant, StripeEvents.PRICE_PRO, status, false, now - DAY)).then().statusCode(200);
            SubscriptionChanged changed = codec.decode(Sql.text("select payload from billing.outbox "
                    + "where topic = 'subscription.changed' and message_key = ?", tenant.toString()),
                    EventType.SUBSCRIPTION_CHANGED);
            seen.put(status, changed.plan());
        });
        assertEquals(expected, seen, "the plan announced for each Stripe status");
    }

    private static long announcements(UUID tenant) {
        return Sql.number("select count(*) from billing.outbox where topic = 'subscription.changed' and message_key = ?",
                tenant.toString());
    }

    private static Response post(String event) {
        return RestAssured.given().header("Stripe-Signature", StripeEvents.signature(event))
                .contentType("application/json").body(event).post("/billing/webhooks/stripe");
    }
}
