package dev.tollgate.generation.erasure;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tollgate.common.event.AccountDeleted;
import dev.tollgate.common.event.AccountPurged;
import dev.tollgate.common.event.Entitlements;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import dev.tollgate.common.event.SubscriptionChanged;
import dev.tollgate.generation.FakeOpenAi;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuerResource;
import dev.tollgate.testing.Topics;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/** account.deleted: the user's prompts and outputs are deleted, once, and the receipt names how many. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeOpenAi.class)
class GenerationErasureTest {

    @Inject
    EventCodec codec;

    @Test
    void anErasedUsersGenerationsAreDeletedAndOthersStay() {
        UUID tenant = UUID.randomUUID();
        UUID leaving = UUID.randomUUID();
        UUID staying = UUID.randomUUID();
        generate(tenant, leaving);
        generate(tenant, leaving);
        generate(tenant, staying);

        AccountDeleted request = AccountDeleted.of(tenant, UUID.randomUUID(), leaving, false);
        Topics.send("account.deleted", tenant.toString(), codec.encode(request));
        Topics.send("account.deleted", tenant.toString(), codec.encode(request));

        String found = Topics.find("account.purged", Duration.ofSeconds(60),
                value -> value.contains(request.deletionId().toString()) && value.contains("\"generation\""));
        assertNotNull(found, "generation-service sent its receipt");
        AccountPurged receipt = codec.decode(found, EventType.ACCOUNT_PURGED);
        assertEquals(2L, receipt.counts().get("generations"));
        assertEquals(0, Sql.number("select count(*) from generation.generations where user_id = ?", leaving));
        assertEquals(1, Sql.number("select count(*) from generation.generations where user_id = ?", staying));
        assertEquals(1, Sql.number("select count(*) from generation.outbox where topic = 'account.purged' "
                + "and payload like ?", "%" + request.deletionId() + "%"), "the repeated request was applied once");

        // a request of the erased user still on its way (their access token outlives the erasure by minutes):
        // answered and its usage counted, but their prompt is not stored
        generate(tenant, leaving);
        assertEquals(0, Sql.number("select count(*) from generation.generations where user_id = ?", leaving));
        assertEquals(3, Sql.number("select count(*) from generation.outbox where topic = 'usage.recorded' "
                + "and payload like ?", "%" + leaving + "%"));
    }

    @Test
    void everyTenantOfTheRequestGoesAndALatePlanBringsNothingBack() {
        UUID personal = UUID.randomUUID();
        UUID team = UUID.randomUUID();
        UUID leaving = UUID.randomUUID();
        UUID member = UUID.randomUUID();
        generate(personal, leaving);
        generate(team, leaving);
        generate(team, member);
        Topics.send("subscription.changed", team.toString(), codec.encode(plan(team, 1)));
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> Sql.number(
                "select count(*) from generation.entitlements where tenant_id = ?", team) == 1);

        AccountDeleted request = AccountDeleted.of(personal, UUID.randomUUID(), leaving, List.of(personal, team));
        Topics.send("account.deleted", personal.toString(), codec.encode(request));
        String found = Topics.find("account.purged", Duration.ofSeconds(60),
                value -> value.contains(request.deletionId().toString()) && value.contains("\"generation\""));
        assertNotNull(found, "generation-service sent its receipt");
        assertEquals(3L, codec.decode(found, EventType.ACCOUNT_PURGED).counts().get("generations"));
        assertEquals(0, Sql.number("select count(*) from generation.generations where tenant_id in (?, ?)", personal,
                team));
        assertEquals(0, Sql.number("select count(*) from generation.entitlements where tenant_id = ?", team));

        // billing's announcement of the cancellation it made at Stripe arrives after the erasure: nothing comes back
        SubscriptionChanged late = plan(team, 2);
        Topics.send("subscription.changed", team.toString(), codec.encode(late));
        Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> Sql.number(
                "select count(*) from generation.inbox where event_id = ?", late.eventId()) == 1);
        assertEquals(0, Sql.number("select count(*) from generation.entitlements where tenant_id = ?", team));
    }

    private static SubscriptionChanged plan(UUID tenant, long version) {
        return SubscriptionChanged.of(tenant, "pro", "active", Instant.now(), Instant.now().plus(Duration.ofDays(30)),
                new Entitlements(Map.of("generations", 1000L), new Entitlements.RateLimits(60, 1000, 600, 10_000, 10),
                        Set.of("premium"), Set.of(), false),
                version);
    }

    @Test
    void aUsersGenerationsAreExportedToAccountServiceOnly() {
        UUID tenant = UUID.randomUUID();
        UUID user = UUID.randomUUID();
        generate(tenant, user);
        generate(UUID.randomUUID(), user);
        generate(tenant, UUID.randomUUID());

        Callers.asService("account").get("/generations/internal/users/" + user + "/export").then().statusCode(200)
                .body("generations", hasSize(2))
                .body("generations[0].prompt", containsString("hi"))
                .body("generations[0].model", equalTo("premium"))
                .body("feedback", hasSize(0));
        Callers.as(user, tenant, "owner").get("/generations/internal/users/" + user + "/export").then().statusCode(403);
    }

    private static void generate(UUID tenant, UUID user) {
        Callers.as(user, tenant, "member")
                .body("{\"model\":\"premium\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .post("/v1/chat/completions").then().statusCode(200);
    }
}
