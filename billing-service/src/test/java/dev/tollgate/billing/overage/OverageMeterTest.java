package dev.tollgate.billing.overage;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.containing;
import static com.github.tomakehurst.wiremock.client.WireMock.post;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.client.WireMock;
import com.github.tomakehurst.wiremock.stubbing.Scenario;
import com.github.tomakehurst.wiremock.verification.LoggedRequest;
import dev.tollgate.billing.StripeEmulatorTestResource;
import dev.tollgate.billing.webhook.StripeEvents;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.UsageRecorded;
import dev.tollgate.devstack.StripeEmulator;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuerResource;
import dev.tollgate.testing.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** usage.recorded of a plan with overage reaches the Stripe meter once per usage event, through a Stripe failure. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(StripeEmulatorTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
class OverageMeterTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final WireMock stripe = new WireMock(StripeEmulator.shared().port());

    @Inject
    EventCodec codec;

    @Test
    void usageOfAPlanWithOverageIsMeteredOnceThroughRedeliveryAndAStripeFailure() {
        UUID pro = UUID.randomUUID();
        UUID basic = UUID.randomUUID();
        long t = System.currentTimeMillis() / 1000 - 60;
        StripeEvents.subscribe(pro, StripeEvents.PRICE_PRO, t);
        StripeEvents.subscribe(basic, StripeEvents.PRICE_BASIC, t);
        // Stripe fails the first report of the pro tenant's customer
        String scenario = "meter-" + pro;
        stripe.register(post(urlPathEqualTo("/v1/billing/meter_events")).atPriority(1)
                .withRequestBody(containing("cus_" + pro))
                .inScenario(scenario).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("recovered")
                .willReturn(aResponse().withStatus(500).withHeader("Content-Type", "application/json")
                        .withBody("{\"error\":{\"type\":\"api_error\",\"message\":\"try again\"}}")));

        UsageRecorded metered = usage(pro, 120, 30);
        UsageRecorded unmetered = usage(basic, 500, 500);
        Topics.send("usage.recorded", pro.toString(), codec.encode(metered));
        Topics.send("usage.recorded", pro.toString(), codec.encode(metered)); // redelivered
        Topics.send("usage.recorded", basic.toString(), codec.encode(unmetered));

        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from billing.stripe_tasks where id = ? "
                + "and done_at is not null", metered.eventId()) == 1);
        List<LoggedRequest> reports = reports(metered.eventId().toString());
        assertTrue(reports.size() >= 2, "the failed report was tried again: " + reports.size());
        for (LoggedRequest report : reports) {
            String form = URLDecoder.decode(report.getBodyAsString(), StandardCharsets.UTF_8);
            assertTrue(form.contains("identifier=" + metered.eventId()), form);
            assertTrue(form.contains("payload[value]=150") && form.contains("payload[stripe_customer_id]=cus_" + pro), form);
            assertTrue(form.contains("event_name=tollgate_tokens"), form);
            assertEquals("tollgate-meter-" + metered.eventId(), report.getHeader("Idempotency-Key"));
        }
        assertEquals(1, Sql.number("select count(*) from billing.stripe_tasks where id = ?", metered.eventId()),
                "the redelivered usage event queued nothing more");
        // the basic plan has no overage: its usage never reaches Stripe
        assertEquals(0, Sql.number("select count(*) from billing.stripe_tasks where tenant_id = ?", basic));
        assertEquals(0, reports(unmetered.eventId().toString()).size());
    }

    @Test
    void usageIsMeteredByThePlanInForceWhenItHappenedNotWhenItArrives() {
        UUID tenant = UUID.randomUUID();
        UsageRecorded beforeSubscribing = usageAt(tenant, Instant.now());
        long t = System.currentTimeMillis() / 1000;
        StripeEvents.subscribe(tenant, StripeEvents.PRICE_PRO, t - 60);
        UsageRecorded onPro = usageAt(tenant, Instant.now());
        // downgraded to basic (no overage) before the pro usage reaches billing
        StripeEvents.post(StripeEvents.subscription("customer.subscription.updated", t + 1, tenant, "sub_" + tenant,
                "cus_" + tenant, StripeEvents.PRICE_BASIC, "active", false, t - 60)).then().statusCode(200);
        UsageRecorded onBasic = usageAt(tenant, Instant.now());
        // one partition (the tenant's key), read in order: the pro usage last
        for (UsageRecorded usage : List.of(beforeSubscribing, onBasic, onPro)) {
            Topics.send("usage.recorded", tenant.toString(), codec.encode(usage));
        }

        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from billing.stripe_tasks where id = ? "
                + "and done_at is not null", onPro.eventId()) == 1);
        assertEquals(1, reports(onPro.eventId().toString()).size(), "used on pro: metered, though the tenant is on basic now");
        // read before it: used on the free tier and on basic, neither is metered
        assertEquals(0, Sql.number("select count(*) from billing.stripe_tasks where id in (?, ?)",
                beforeSubscribing.eventId(), onBasic.eventId()));
    }

    @Test
    void usageOfAPlanWithoutOverageIsNotMeteredAfterAnUpgrade() {
        UUID tenant = UUID.randomUUID();
        long t = System.currentTimeMillis() / 1000;
        StripeEvents.subscribe(tenant, StripeEvents.PRICE_BASIC, t - 60);
        UsageRecorded onBasic = usageAt(tenant, Instant.now());
        // upgraded to pro before the basic usage reaches billing
        StripeEvents.post(StripeEvents.subscription("customer.subscription.updated", t + 1, tenant, "sub_" + tenant,
                "cus_" + tenant, StripeEvents.PRICE_PRO, "active", false, t - 60)).then().statusCode(200);
        UsageRecorded onPro = usageAt(tenant, Instant.now());
        for (UsageRecorded usage : List.of(onBasic, onPro)) {
            Topics.send("usage.recorded", tenant.toString(), codec.encode(usage));
        }

        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from billing.stripe_tasks where id = ? "
                + "and done_at is not null", onPro.eventId()) == 1);
        // read before the pro usage, in the same partition: used on basic, so not metered though the tenant is on pro
        assertEquals(0, Sql.number("select count(*) from billing.stripe_tasks where id = ?", onBasic.eventId()));
        assertEquals(0, reports(onBasic.eventId().toString()).size());
    }

    private static UsageRecorded usageAt(UUID tenant, Instant at) {
        return new UsageRecorded(UUID.randomUUID(), at, tenant, UsageRecorded.SCHEMA_VERSION, UUID.randomUUID(),
                "generation", "large", "gen-" + UUID.randomUUID(), Map.of(UsageRecorded.GENERATIONS, 1L,
                        UsageRecorded.INPUT_TOKENS, 100L, UsageRecorded.OUTPUT_TOKENS, 20L));
    }

    private static UsageRecorded usage(UUID tenant, long input, long output) {
        return UsageRecorded.of(tenant, UUID.randomUUID(), "generation", "large", "gen-" + UUID.randomUUID(),
                Map.of(UsageRecorded.GENERATIONS, 1L, UsageRecorded.INPUT_TOKENS, input, UsageRecorded.OUTPUT_TOKENS, output));
    }

    private List<LoggedRequest> reports(String identifier) {
        return stripe.find(postRequestedFor(urlPathEqualTo("/v1/billing/meter_events"))).stream()
                .filter(request -> request.getBodyAsString().contains(identifier)).toList();
    }
}
