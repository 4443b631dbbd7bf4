package dev.tollgate.billing.subscription;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.okJson;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.stubbing.StubMapping;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tollgate.billing.StripeEmulatorTestResource;
import dev.tollgate.billing.webhook.StripeEvents;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.MemberChanged;
import dev.tollgate.devstack.StripeEmulator;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.TestIssuer;
import dev.tollgate.testing.TestIssuerResource;
import dev.tollgate.testing.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Checkout, portal and subscription changes through stripe-java against the Stripe emulator (WireMock speaking
 * Stripe's API), with Stripe throttling and failing on purpose.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(StripeEmulatorTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
class SubscriptionApiTest {

    private final WireMock stripe = new WireMock(StripeEmulator.shared().port());

    @Inject
    EventCodec codec;

    @Test
    void anOwnersCheckoutCreatesTheTenantsCustomerOnceAndASessionForItsPlan() {
        UUID tenant = UUID.randomUUID();
        var first = Callers.as(UUID.randomUUID(), tenant, "owner").body("{\"plan\":\"pro\"}")
                .post("/billing/checkout").then().statusCode(200)
                .body("plan", equalTo("pro"))
                .body("sessionId", startsWith("cs_test_"))
                .extract();
        String url = first.path("url");
        assertTrue(url.contains("tenant=" + tenant), url);

        List<LoggedRequest> customers = requests("/v1/customers", tenant.toString());
        assertEquals(1, customers.size());
        assertEquals("tollgate-customer-" + tenant, customers.get(0).getHeader("Idempotency-Key"));
        List<LoggedRequest> sessions = requests("/v1/checkout/sessions", tenant.toString());
        assertEquals(1, sessions.size());
        String form = decoded(sessions.get(0));
        assertTrue(form.contains("client_reference_id=" + tenant), form);
        assertTrue(form.contains("line_items[0][price]=price_local_pro"), form);
        assertTrue(form.contains("subscription_data[metadata][tenant_id]=" + tenant), form);
        assertTrue(form.contains("mode=subscription"), form);

        // a second checkout (an admin's, for another plan) reuses the customer and expires the open session first
        String second = Callers.as(UUID.randomUUID(), tenant, "admin").body("{\"plan\":\"basic\"}")
                .post("/billing/checkout").then().statusCode(200).body("plan", equalTo("basic"))
                .extract().path("sessionId");
        assertEquals(1, requests("/v1/customers", tenant.toString()).size(), "one Stripe customer per tenant");
        assertEquals(2, requests("/v1/checkout/sessions", tenant.toString()).size());
        assertEquals(1, stripe.find(postRequestedFor(urlPathEqualTo("/v1/checkout/sessions/" + first.path("sessionId")
                + "/expire"))).size(), "the pro session can no longer be paid");
        // the same plan again (another tab): the open session, no new one
        Callers.as(UUID.randomUUID(), tenant, "owner").body("{\"plan\":\"basic\"}")
                .post("/billing/checkout").then().statusCode(200).body("sessionId", equalTo(second));
        assertEquals(2, requests("/v1/checkout/sessions", tenant.toString()).size());
    }

    @Test
    void checkoutsStartedTogetherInManyTabsShareOneSessionAndAPaidOneBlocksTheNext() throws Exception {
        UUID tenant = UUID.randomUUID();
        ExecutorService tabs = Executors.newFixedThreadPool(8);
        List<Future<String>> started = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            started.add(tabs.submit(() -> Callers.as(UUID.randomUUID(), tenant, "owner").body("{\"plan\":\"pro\"}")
                    .post("/billing/checkout").then().statusCode(200).extract().<String> path("sessionId")));
        }
        Set<String> sessions = new HashSet<>();
        for (Future<String> tab : started) {
            sessions.add(tab.get());
        }
        tabs.shutdown();
        assertEquals(1, sessions.size(), "every tab is sent to one session: " + sessions);
        assertEquals(1, requests("/v1/checkout/sessions", tenant.toString()).size(), "Stripe created one session");
        assertEquals(1, requests("/v1/customers", tenant.toString()).size());

        // paid: no checkout starts while its subscription is on its way, nor once it is there
        String session = sessions.iterator().next();
        long now = System.currentTimeMillis() / 1000;
        StripeEvents.post(StripeEvents.checkoutCompleted(now, tenant, "cus_" + tenant, session)).then().statusCode(200);
        Callers.as(UUID.randomUUID(), tenant, "owner").body("{\"plan\":\"basic\"}").post("/billing/checkout")
                .then().statusCode(409).body("type", equalTo("https://tollgate.dev/problems/checkout-completed"));
        StripeEvents.post(StripeEvents.subscription("customer.subscription.created", now, tenant, "sub_" + tenant,
                "cus_" + tenant, StripeEvents.PRICE_PRO, "active", false, now)).then().statusCode(200);
        Callers.as(UUID.randomUUID(), tenant, "owner").body("{\"plan\":\"pro\"}").post("/billing/checkout")
                .then().statusCode(409).body("type", equalTo("https://tollgate.dev/problems/subscription-exists"));
        assertEquals(1, requests("/v1/checkout/sessions", tenant.toString()).size());
    }

    @Test
    void aSessionStripeExpiredIsNotHandedOutAgain() {
        UUID tenant = UUID.randomUUID();
        String first = Callers.as(UUID.randomUUID(), tenant, "owner").body("{\"plan\":\"pro\"}")
                .post("/billing/checkout").then().statusCode(200).extract().path("sessionId");
        StripeEvents.post(StripeEvents.checkoutExpired(System.currentTimeMillis() / 1000, tenant, first)).then()
                .statusCode(200);
        String second = Callers.as(UUID.randomUUID(), tenant, "owner").body("{\"plan\":\"pro\"}")
                .post("/billing/checkout").then().statusCode(200).extract().path("sessionId");
        assertTrue(!first.equals(second), "a new session: " + second);
        assertEquals(2, requests("/v1/checkout/sessions", tenant.toString()).size());
    }

    @Test
    void anOpenSessionPaidJustBeforeAnotherPlansCheckoutIsNotReplaced() {
        UUID tenant = UUID.randomUUID();
        String session = Callers.as(UUID.randomUUID(), tenant, "owner").body("{\"plan\":\"pro\"}")
                .post("/billing/checkout").then().statusCode(200).extract().path("sessionId");
        // Stripe has it paid; its webhook has not arrived yet
        StubMapping paid = stripe.register(get(urlPathEqualTo("/v1/checkout/sessions/" + session)).atPriority(1)
                .willReturn(okJson("{\"id\":\"" + session + "\",\"object\":\"checkout.session\","
                        + "\"status\":\"complete\",\"payment_status\":\"paid\"}")));
        try {
            Callers.as(UUID.randomUUID(), tenant, "admin").body("{\"plan\":\"basic\"}").post("/billing/checkout")
                    .then().statusCode(409).body("type", equalTo("https://tollgate.dev/problems/checkout-completed"));
        } finally {
            stripe.removeStubMapping(paid);
        }
        assertEquals(1, requests("/v1/checkout/sessions", tenant.toString()).size(), "no second session");
        assertEquals(0, stripe.find(postRequestedFor(urlPathEqualTo("/v1/checkout/sessions/" + session + "/expire")))
                .size());
    }

    @Test
    void onlyOwnersAndAdminsChangeBillingAndOnlyPaidPlansAreSold() {
        UUID tenant = UUID.randomUUID();
        Callers.as(UUID.randomUUID(), tenant, "member").body("{\"plan\":\"pro\"}").post("/billing/checkout")
                .then().statusCode(403).contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/role-required"))
                .body("role", equalTo("admin"));
        Callers.as(UUID.randomUUID(), tenant, "member").post("/billing/subscription/cancel").then().statusCode(403);
        problem(tenant, "{\"plan\":\"platinum\"}", "plan-unknown");
        problem(tenant, "{\"plan\":\"free\"}", "plan-not-purchasable");
        problem(tenant, "{\"plan\":\"enterprise\"}", "plan-not-purchasable");
        problem(tenant, "{}", "plan-required");
        Callers.as(UUID.randomUUID(), tenant, "member").get("/billing/subscription").then().statusCode(200)
                .body("plan", equalTo("free")).body("status", equalTo("none"))
                .body("entitlements.monthlyQuotas.generations", equalTo(100));
        assertEquals(0, requests("/v1/customers", tenant.toString()).size(), "Stripe was never called");
    }

    @Test
    void aThrottledThenFailingStripeIsRetriedWithTheSameIdempotencyKey() {
        UUID tenant = UUID.randomUUID();
        String scenario = "flaky-" + tenant;
        stripe.register(post(urlPathEqualTo("/v1/checkout/sessions")).atPriority(1)
                .withRequestBody(containing(tenant.toString()))
                .inScenario(scenario).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("throttled")
                .willReturn(aResponse().withStatus(429).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"type\":\"invalid_request_error\",\"code\":\"rate_limit\","
                                + "\"message\":\"Too many requests\"}}")));
        stripe.register(post(urlPathEqualTo("/v1/checkout/sessions")).atPriority(1)
                .withRequestBody(containing(tenant.toString()))
                .inScenario(scenario).whenScenarioStateIs("throttled").willSetStateTo("recovered")
                .willReturn(aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"type\":\"api_error\",\"message\":\"Something went wrong\"}}")));

        Callers.as(UUID.randomUUID(), tenant, "owner").header("Idempotency-Key", "order-77").body("{\"plan\":\"pro\"}")
                .post("/billing/checkout").then().statusCode(200).body("sessionId", startsWith("cs_test_"));

        List<LoggedRequest> attempts = requests("/v1/checkout/sessions", tenant.toString());
        assertEquals(3, attempts.size(), "429, 500, then accepted");
        String key = attempts.get(0).getHeader("Idempotency-Key");
        assertTrue(key.startsWith("tollgate-checkout-"), key);
        attempts.forEach(
                attempt -> assertEquals(key, attempt.getHeader("Idempotency-Key"), "every attempt is the same request"));
    }

    @Test
    void aStripeThatKeepsFailingIsA503NamingStripe() {
        UUID tenant = UUID.randomUUID();
        stripe.register(post(urlPathEqualTo("/v1/customers")).atPriority(1)
                .withRequestBody(containing(tenant.toString()))
                .willReturn(aResponse().withStatus(503).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"type\":\"api_error\",\"message\":\"down\"}}")));

        Callers.as(UUID.randomUUID(), tenant, "owner").body("{\"plan\":\"basic\"}").post("/billing/checkout")
                .then().statusCode(503).contentType("application/problem+json")
                .header("Retry-After", equalTo("5"))
                .body("type", equalTo("https://tollgate.dev/problems/stripe-unavailable"))
                .body("detail", containsString("create customer"));
        assertEquals(5, requests("/v1/customers", tenant.toString()).size(), "one try and four retries");
        assertEquals(0, requests("/v1/checkout/sessions", tenant.toString()).size());
    }

    @Test
    void theSubscriptionIsChangedCancelledAndResumedAtStripeAndFollowsItsEvents() {
        UUID tenant = UUID.randomUUID();
        String sub = "sub_" + tenant;
        String customer = "cus_" + tenant;
        long now = System.currentTimeMillis() / 1000;
        Callers.as(UUID.randomUUID(), tenant, "owner").body("{\"plan\":\"pro\"}").post("/billing/subscription/change")
                .then().statusCode(409).body("type", equalTo("https://tollgate.dev/problems/no-subscription"));
        Callers.as(UUID.randomUUID(), tenant, "owner").post("/billing/portal")
                .then().statusCode(409).body("type", equalTo("https://tollgate.dev/problems/no-billing-account"));

        StripeEvents.post(StripeEvents.checkoutCompleted(now - 5, tenant, customer)).then().statusCode(200);
        StripeEvents.post(StripeEvents.subscription("customer.subscription.created", now - 4, tenant, sub, customer,
                StripeEvents.PRICE_BASIC, "active", false, now - 4)).then().statusCode(200);
        Callers.as(UUID.randomUUID(), tenant, "member").get("/billing/subscription").then().statusCode(200)
                .body("plan", equalTo("basic")).body("status", equalTo("active"))
                .body("entitlements.monthlyQuotas.generations", equalTo(2000));
        Callers.as(UUID.randomUUID(), tenant, "owner").body("{\"plan\":\"basic\"}").post("/billing/subscription/change")
                .then().statusCode(409).body("type", equalTo("https://tollgate.dev/problems/plan-unchanged"));
        Callers.as(UUID.randomUUID(), tenant, "owner").body("{\"plan\":\"pro\"}").post("/billing/checkout")
                .then().statusCode(409).body("type", equalTo("https://tollgate.dev/problems/subscription-exists"));

        Callers.as(UUID.randomUUID(), tenant, "owner").body("{\"plan\":\"pro\"}").post("/billing/subscription/change")
                .then().statusCode(202).body("plan", equalTo("pro")).body("subscriptionId", equalTo(sub));
        List<LoggedRequest> changes = requests("/v1/subscriptions/" + sub, "price");
        assertEquals(1, changes.size());
        String form = decoded(changes.get(0));
        assertTrue(form.contains("items[0][id]=si_" + sub) && form.contains("items[0][price]=price_local_pro")
                && form.contains("proration_behavior=create_prorations"), form);
        assertTrue(changes.get(0).getHeader("Idempotency-Key").startsWith("tollgate-change-" + sub + "-pro-"));
        // Stripe's word comes with its event: until then the plan is what Stripe last said
        Callers.as(UUID.randomUUID(), tenant, "member").get("/billing/subscription").then().body("plan", equalTo("basic"));
        StripeEvents.post(StripeEvents.subscription("customer.subscription.updated", now - 2, tenant, sub, customer,
                StripeEvents.PRICE_PRO, "active", false, now - 4)).then().statusCode(200);
        Callers.as(UUID.randomUUID(), tenant, "member").get("/billing/subscription").then().body("plan", equalTo("pro"))
                .body("entitlements.monthlyQuotas.generations", equalTo(10000));

        Callers.as(UUID.randomUUID(), tenant, "admin").post("/billing/subscription/cancel").then().statusCode(202)
                .body("cancelAtPeriodEnd", equalTo(true));
        Callers.as(UUID.randomUUID(), tenant, "admin").post("/billing/subscription/resume").then().statusCode(202)
                .body("cancelAtPeriodEnd", equalTo(false));
        List<LoggedRequest> toggles = requests("/v1/subscriptions/" + sub, "cancel_at_period_end");
        assertEquals(Set.of("cancel_at_period_end=true", "cancel_at_period_end=false"),
                toggles.stream().map(SubscriptionApiTest::decoded).collect(Collectors.toSet()));

        Callers.as(UUID.randomUUID(), tenant, "owner").post("/billing/portal").then().statusCode(200)
                .body("url", containsString("/portal/" + customer));
    }

    @Test
    void aDemotedAdminIsRefusedTheBillingPortalWithinTenSeconds() {
        UUID tenant = UUID.randomUUID();
        UUID admin = UUID.randomUUID();
        String token = TestIssuer.shared().sign(TestIssuer.claims(admin, tenant, "admin"));
        int before = RestAssured.given().auth().oauth2(token).post("/billing/portal").statusCode();
        assertTrue(before != 401 && before != 403, "the admin may open the portal (no customer yet: " + before + ")");

        Topics.send("member.changed", tenant.toString(), codec.encode(MemberChanged.of(tenant, admin, "member")));

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> RestAssured.given().auth().oauth2(token)
                .post("/billing/portal").then().statusCode(403)
                .body("type", equalTo("https://tollgate.dev/problems/role-required")));
    }

    private static void problem(UUID tenant, String body, String slug) {
        Callers.as(UUID.randomUUID(), tenant, "owner").body(body).post("/billing/checkout").then().statusCode(400)
                .contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/" + slug));
    }

    /** The requests to {@code path} whose body mentions {@code text}, oldest first. */
    private List<LoggedRequest> requests(String path, String text) {
        return stripe.find(postRequestedFor(urlPathEqualTo(path))).stream()
                .filter(request -> decoded(request).contains(text))
                .sorted((a, b) -> a.getLoggedDate().compareTo(b.getLoggedDate()))
                .toList();
    }

    private static String decoded(LoggedRequest request) {
        return URLDecoder.decode(request.getBodyAsString(), StandardCharsets.UTF_8);
    }
}
