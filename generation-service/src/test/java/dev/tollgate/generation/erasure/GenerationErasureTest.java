package dev.tollgate.generation.erasure;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

import dev.tollgate.common.event.AccountDeleted;
import dev.tollgate.common.event.AccountPurged;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
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
import java.util.UUID;
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
