package dev.tollgate.billing.export;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;

import dev.tollgate.billing.FakeAuth;
import dev.tollgate.billing.StripeEmulatorTestResource;
import dev.tollgate.billing.webhook.StripeEvents;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * A user's export gets the billing of the tenants auth-service says they own or administer, and of no other,
 * whatever the caller asks; when auth-service cannot say, 503 naming it.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(StripeEmulatorTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeAuth.class)
class BillingExportTest {

    @Test
    void theBillingOfTheTenantsAuthSaysTheUserRunsAndOfNoOther() {
        UUID run = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        long t = System.currentTimeMillis() / 1000 - 60;
        for (UUID tenant : List.of(run, other)) {
            StripeEvents.subscribe(tenant, StripeEvents.PRICE_PRO, t);
            StripeEvents.post(StripeEvents.invoice("invoice.paid", t + 1, tenant, "in_x_" + tenant, "cus_" + tenant,
                    "sub_" + tenant, "paid", 2900, 2900, "ada@example.com")).then().statusCode(200);
        }
        UUID user = UUID.randomUUID();
        FakeAuth.runs(user, List.of(run));

        // the tenant a caller names is not believed: only auth's answer counts
        Callers.asService("account").queryParam("tenant", other.toString())
                .get("/billing/internal/users/" + user + "/export").then().statusCode(200)
                .body("tenants", hasSize(1))
                .body("tenants[0].tenantId", equalTo(run.toString()))
                .body("tenants[0].subscription.plan", equalTo("pro"))
                .body("tenants[0].invoices[0].amountPaid", equalTo(2900))
                .body("tenants[0].invoices[0].customerEmail", equalTo("ada@example.com"));

        UUID nobody = UUID.randomUUID();
        FakeAuth.runs(nobody, List.of());
        Callers.asService("account").get("/billing/internal/users/" + nobody + "/export").then().statusCode(200)
                .body("tenants", hasSize(0));

        Callers.as(user, run, "owner").get("/billing/internal/users/" + user + "/export").then().statusCode(403);
    }

    @Test
    void whenAuthCannotSayWhichTenantsTheExportWaitsAndARefusalNamesTheClient() {
        UUID user = UUID.randomUUID();
        FakeAuth.down(user);
        Callers.asService("account").get("/billing/internal/users/" + user + "/export").then().statusCode(503)
                .contentType("application/problem+json")
                .header("Retry-After", "5")
                .body("type", equalTo("https://tollgate.dev/problems/auth-unavailable"));

        // a refusal is no outage: it says the configuration is wrong
        UUID refused = UUID.randomUUID();
        FakeAuth.refuses(refused);
        Callers.asService("account").get("/billing/internal/users/" + refused + "/export").then().statusCode(500)
                .body("type", equalTo("https://tollgate.dev/problems/auth-refused-client"));
    }
}
