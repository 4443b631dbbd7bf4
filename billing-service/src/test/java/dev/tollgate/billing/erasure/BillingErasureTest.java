package dev.tollgate.billing.erasure;

import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import com.github.tomakehurst.wiremock.client.WireMock;
import dev.tollgate.billing.StripeEmulatorTestResource;
import dev.tollgate.billing.webhook.StripeEvents;
import dev.tollgate.common.event.AccountDeleted;
import dev.tollgate.common.event.AccountPurged;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.devstack.StripeEmulator;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuerResource;
import dev.tollgate.testing.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * account.deleted of a tenant: its subscription cancelled and its customer deleted at Stripe, its invoices kept
 * without personal data, a receipt once Stripe has done its part, and Stripe's later events bring nothing back.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(StripeEmulatorTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
class BillingErasureTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final WireMock stripe = new WireMock(StripeEmulator.shared().port());

    @Inject
    EventCodec codec;

    @Test
    void aDeletedTenantsStripeCustomerGoesAndItsInvoicesKeepOnlyTheBooks() {
        UUID tenant = UUID.randomUUID();
        long t = System.currentTimeMillis() / 1000 - 60;
        StripeEvents.subscribe(tenant, StripeEvents.PRICE_PRO, t);
        StripeEvents.post(StripeEvents.invoice("invoice.paid", t + 1, tenant, "in_e_" + tenant, "cus_" + tenant,
                "sub_" + tenant, "paid", 2900, 2900, "ada@example.com")).then().statusCode(200);

        AccountDeleted deletion = AccountDeleted.of(tenant, UUID.randomUUID(), UUID.randomUUID(), true);
        Topics.send("account.deleted", tenant.toString(), codec.encode(deletion));
        Topics.send("account.deleted", tenant.toString(), codec.encode(deletion)); // redelivered

        String receipt = Topics.find("account.purged", PATIENCE, record -> record.contains(deletion.deletionId().toString())
                && record.contains("\"billing\""));
        assertNotNull(receipt, "billing receipted the deletion");
        AccountPurged purged = codec.decode(receipt, EventType.ACCOUNT_PURGED);
        assertEquals(1L, purged.counts().get("stripe_subscriptions_cancelled"));
        assertEquals(1L, purged.counts().get("stripe_customers_deleted"));
        assertEquals(1, stripe.find(deleteRequestedFor(urlPathEqualTo("/v1/subscriptions/sub_" + tenant))).size());
        assertEquals(1, stripe.find(deleteRequestedFor(urlPathEqualTo("/v1/customers/cus_" + tenant))).size());
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from billing.outbox where topic = 'account.purged' "
                + "and message_key = ?", tenant.toString()) == 1);

        assertEquals(1, Sql.number("select count(*) from billing.invoices where tenant_id = ? and amount_paid = 2900 "
                + "and customer_email is null and customer_name is null and hosted_invoice_url is null and invoice_pdf is null",
                tenant), "the books stay, the person goes");
        assertEquals(0, Sql.number("select count(*) from billing.subscriptions where tenant_id = ?", tenant));
        assertEquals(0, Sql.number("select count(*) from billing.customers where tenant_id = ?", tenant));

        // Stripe then reports the cancellation it made: nothing comes back for the erased tenant
        StripeEvents.post(StripeEvents.subscription("customer.subscription.deleted", t + 600, tenant, "sub_" + tenant,
                "cus_" + tenant, StripeEvents.PRICE_PRO, "canceled", false, t)).then().statusCode(200);
        assertEquals(0, Sql.number("select count(*) from billing.subscriptions where tenant_id = ?", tenant));
    }

    @Test
    void everyTenantOfTheRequestIsCancelledAtStripeAndReceiptedOnce() {
        UUID personal = UUID.randomUUID();
        UUID team = UUID.randomUUID();
        long t = System.currentTimeMillis() / 1000 - 60;
        StripeEvents.subscribe(personal, StripeEvents.PRICE_PRO, t);
        StripeEvents.subscribe(team, StripeEvents.PRICE_PRO, t);

        AccountDeleted deletion = AccountDeleted.of(personal, UUID.randomUUID(), UUID.randomUUID(), List.of(personal, team));
        Topics.send("account.deleted", personal.toString(), codec.encode(deletion));
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from billing.outbox where topic = 'account.purged' "
                + "and payload like ?", "%" + deletion.deletionId() + "%") == 1);
        String receipt = Topics.find("account.purged", PATIENCE, record -> record.contains(deletion.deletionId().toString()));
        AccountPurged purged = codec.decode(receipt, EventType.ACCOUNT_PURGED);
        assertEquals(2L, purged.counts().get("stripe_subscriptions_cancelled"));
        assertEquals(2L, purged.counts().get("stripe_customers_deleted"));
        assertEquals(2L, purged.counts().get("subscriptions"));
        for (UUID tenant : List.of(personal, team)) {
            assertEquals(1, stripe.find(deleteRequestedFor(urlPathEqualTo("/v1/subscriptions/sub_" + tenant))).size());
            assertEquals(0, Sql.number("select count(*) from billing.subscriptions where tenant_id = ?", tenant));
            assertEquals(1, Sql.number("select count(*) from billing.erased_tenants where tenant_id = ?", tenant));
        }

        // sent again to billing alone (its receipt went missing): receipted again, nothing called twice at Stripe
        Topics.send("account.deleted", personal.toString(), codec.encode(deletion.resentTo(List.of("billing"))));
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from billing.outbox where topic = 'account.purged' "
                + "and payload like ?", "%" + deletion.deletionId() + "%") == 2);
        // sent again to another service: nothing here
        AccountDeleted elsewhere = deletion.resentTo(List.of("generation"));
        Topics.send("account.deleted", personal.toString(), codec.encode(elsewhere));
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from billing.inbox where event_id = ?",
                elsewhere.eventId()) == 1);
        assertEquals(2, Sql.number("select count(*) from billing.outbox where topic = 'account.purged' and payload like ?",
                "%" + deletion.deletionId() + "%"));
        for (UUID tenant : List.of(personal, team)) {
            assertEquals(1, stripe.find(deleteRequestedFor(urlPathEqualTo("/v1/subscriptions/sub_" + tenant))).size());
        }
    }

    @Test
    void aDeletedUserOfARemainingTenantIsReceiptedAtOnce() {
        AccountDeleted deletion = AccountDeleted.of(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID(), false);
        Topics.send("account.deleted", deletion.tenantId().toString(), codec.encode(deletion));
        String receipt = Topics.find("account.purged", PATIENCE, record -> record.contains(deletion.deletionId().toString()));
        assertNotNull(receipt);
        assertEquals(0, codec.decode(receipt, EventType.ACCOUNT_PURGED).counts().size());
    }
}
