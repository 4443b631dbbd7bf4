package dev.tollgate.billing.invoice;

import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.billing.StripeEmulatorTestResource;
import dev.tollgate.billing.webhook.StripeEvents;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.SubscriptionChanged;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * invoice.paid and invoice.payment_failed: the invoices a tenant sees, and a failed payment's grace period
 * (3 s in the test profile) ending on the free plan until an invoice is paid; customer.deleted.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(StripeEmulatorTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
class InvoicesAndGraceTest {

    @Inject
    EventCodec codec;

    @Test
    void aFailedPaymentKeepsThePlanForTheGracePeriodThenFreeUntilAnInvoiceIsPaid() {
        UUID tenant = UUID.randomUUID();
        String sub = "sub_" + tenant;
        String customer = "cus_" + tenant;
        // the grace period (3 s here) runs from the failure as Stripe dated it: 3 s from now, so it ends 6 s from now
        long t = System.currentTimeMillis() / 1000 + 2;
        StripeEvents.subscribe(tenant, StripeEvents.PRICE_PRO, t - 4);

        StripeEvents.post(StripeEvents.invoice("invoice.payment_failed", t + 1, tenant, "in_a" + tenant.hashCode(),
                customer, sub, "open", 2900, 0, "ada@example.com")).then().statusCode(200)
                .body("outcome", equalTo("applied"));
        Callers.as(UUID.randomUUID(), tenant, "member").get("/billing/subscription").then()
                .body("plan", equalTo("pro")).body("status", equalTo("past_due")).body("graceEndsAt", notNullValue());
        assertEquals(1, Sql.number("select count(*) from billing.outbox where topic = 'subscription.changed' "
                + "and message_key = ? and payload like '%\"plan\":\"pro\"%' and payload like '%\"status\":\"past_due\"%'",
                tenant.toString()), "past due on pro, announced");

        // the grace period ends unpaid: the free plan, announced
        await().atMost(Duration.ofSeconds(30)).until(() -> "free".equals(latest(tenant).plan()));
        Callers.as(UUID.randomUUID(), tenant, "member").get("/billing/subscription").then()
                .body("plan", equalTo("free")).body("status", equalTo("past_due"))
                .body("entitlements.monthlyQuotas.generations", equalTo(100));
        // Stripe's dunning goes on with the same status: still free
        StripeEvents.post(StripeEvents.subscription("customer.subscription.updated", t + 2, tenant, sub, customer,
                StripeEvents.PRICE_PRO, "past_due", false, t - 4)).then().statusCode(200);
        assertEquals("free", Sql.text("select plan from billing.subscriptions where tenant_id = ?", tenant));

        // a late retry succeeds: the plan comes back and the grace is over
        StripeEvents.post(StripeEvents.invoice("invoice.paid", t + 30, tenant, "in_a" + tenant.hashCode(), customer,
                sub, "paid", 2900, 2900, "ada@example.com")).then().statusCode(200);
        Callers.as(UUID.randomUUID(), tenant, "member").get("/billing/subscription").then()
                .body("plan", equalTo("pro")).body("status", equalTo("active")).body("graceEndsAt", nullValue());
        SubscriptionChanged restored = latest(tenant);
        assertEquals("pro", restored.plan());
        assertEquals("active", restored.status());
        // and the old failure, delivered again late, changes nothing
        StripeEvents.post(StripeEvents.invoice("invoice.payment_failed", t + 1, tenant, "in_a" + tenant.hashCode(),
                customer, sub, "open", 2900, 0, "ada@example.com")).then().statusCode(200);
        assertEquals("active", Sql.text("select status from billing.subscriptions where tenant_id = ?", tenant));
        assertEquals("paid", Sql.text("select status from billing.invoices where tenant_id = ?", tenant),
                "the invoice is as its newest event says");
    }

    @Test
    void aFirstPaymentThatFailsGivesNoGrace() {
        UUID tenant = UUID.randomUUID();
        String sub = "sub_" + tenant;
        String customer = "cus_" + tenant;
        long t = System.currentTimeMillis() / 1000;
        // a card that fails (or 3-D Secure never completed): Stripe makes the subscription incomplete, then fails
        // its first invoice
        StripeEvents.post(StripeEvents.subscription("customer.subscription.created", t, tenant, sub, customer,
                StripeEvents.PRICE_PRO, "incomplete", false, t)).then().statusCode(200);
        StripeEvents.post(StripeEvents.invoice("invoice.payment_failed", t + 1, tenant, "in_f" + tenant.hashCode(),
                customer, sub, "open", 2900, 0, "ada@example.com")).then().statusCode(200);

        Callers.as(UUID.randomUUID(), tenant, "member").get("/billing/subscription").then()
                .body("plan", equalTo("free")).body("status", equalTo("incomplete")).body("graceEndsAt", nullValue());
        assertEquals(0, Sql.number("select count(*) from billing.outbox where topic = 'subscription.changed' "
                + "and message_key = ? and payload like '%\"plan\":\"pro\"%'", tenant.toString()),
                "pro was never announced for a subscription that was never paid");
    }

    @Test
    void membersPageThroughTheirTenantsInvoicesNewestFirst() {
        UUID tenant = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        long t = System.currentTimeMillis() / 1000 - 3 * 86400;
        StripeEvents.subscribe(tenant, StripeEvents.PRICE_BASIC, t);
        StripeEvents.subscribe(other, StripeEvents.PRICE_BASIC, t);
        for (int i = 1; i <= 3; i++) {
            StripeEvents.post(StripeEvents.invoice("invoice.paid", t + i * 3600, tenant, "in_" + i + "_" + tenant,
                    "cus_" + tenant, "sub_" + tenant, "paid", 900, 900, "ada@example.com")).then().statusCode(200);
        }
        StripeEvents.post(StripeEvents.invoice("invoice.paid", t + 7200, other, "in_x_" + other, "cus_" + other,
                "sub_" + other, "paid", 900, 900, "bob@example.com")).then().statusCode(200);

        String cursor = Callers.as(UUID.randomUUID(), tenant, "member").get("/billing/invoices?limit=2").then()
                .statusCode(200)
                .body("invoices.id", contains("in_3_" + tenant, "in_2_" + tenant))
                .body("invoices[0].amountPaid", equalTo(900))
                .body("invoices[0].hostedInvoiceUrl", equalTo("https://invoice.stripe.com/i/in_3_" + tenant))
                .body("invoices[0].customerEmail", nullValue())
                .extract().path("nextCursor");
        Callers.as(UUID.randomUUID(), tenant, "member").get("/billing/invoices?limit=2&cursor=" + cursor).then()
                .statusCode(200).body("invoices.id", contains("in_1_" + tenant)).body("nextCursor", nullValue());
        Callers.as(UUID.randomUUID(), tenant, "member").get("/billing/invoices?cursor=in_x_" + other).then()
                .statusCode(200).body("invoices", hasSize(0));
        Callers.as(UUID.randomUUID(), tenant, "member").get("/billing/invoices?limit=0").then().statusCode(400)
                .body("type", equalTo("https://tollgate.dev/problems/limit-invalid"));
    }

    @Test
    void aDeletedStripeCustomerLeavesTheTenantOnTheFreePlan() {
        UUID tenant = UUID.randomUUID();
        long t = System.currentTimeMillis() / 1000 - 60;
        StripeEvents.subscribe(tenant, StripeEvents.PRICE_PRO, t);

        StripeEvents.post(StripeEvents.customerDeleted(t + 5, "cus_" + tenant)).then().statusCode(200)
                .body("outcome", equalTo("applied"));

        assertEquals("free", latest(tenant).plan());
        assertEquals(0, Sql.number("select count(*) from billing.customers where tenant_id = ?", tenant));
        Callers.as(UUID.randomUUID(), tenant, "owner").post("/billing/portal").then().statusCode(409);
    }

    private SubscriptionChanged latest(UUID tenant) {
        return codec.decode(Sql.text("select payload from billing.outbox where topic = 'subscription.changed' "
                + "and message_key = ? order by id desc limit 1", tenant.toString()), EventType.SUBSCRIPTION_CHANGED);
    }
}
