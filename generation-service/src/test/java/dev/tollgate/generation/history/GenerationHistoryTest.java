package dev.tollgate.generation.history;

import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.tollgate.generation.FakeOpenAi;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.specification.RequestSpecification;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** A user's history: their own generations only, paged, rated, deleted. */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeOpenAi.class)
class GenerationHistoryTest {

    @Test
    void aUserSeesRatesAndDeletesOnlyTheirOwnGenerations() {
        UUID tenant = UUID.randomUUID();
        UUID ada = UUID.randomUUID();
        UUID bob = UUID.randomUUID();
        UUID otherTenant = UUID.randomUUID();
        String first = generate(tenant, ada, "first");
        generate(tenant, ada, "second");
        String third = generate(tenant, ada, "third");
        String bobs = generate(tenant, bob, "bob's");
        String stranger = generate(otherTenant, ada, "elsewhere");

        as(ada, tenant).queryParam("size", 2).get("/generations").then().statusCode(200)
                .body("total", equalTo(3))
                .body("items", hasSize(2))
                .body("items[0].id", equalTo(third))
                .body("items[0].messages[0].content", equalTo("third"))
                .body("items[0].model", equalTo("premium"));
        as(ada, tenant).queryParam("size", 2).queryParam("page", 1).get("/generations").then().statusCode(200)
                .body("items", hasSize(1))
                .body("items[0].id", equalTo(first));
        as(ada, tenant).get("/generations/" + bobs).then().statusCode(404)
                .contentType("application/problem+json");
        as(ada, tenant).get("/generations/" + stranger).then().statusCode(404);
        as(ada, tenant).queryParam("size", 500).get("/generations").then().statusCode(400);

        as(ada, tenant).body("{\"rating\":4,\"comment\":\"useful\"}").post("/generations/" + first + "/feedback")
                .then().statusCode(200).body("rating", equalTo(4));
        as(ada, tenant).body("{\"rating\":2}").post("/generations/" + first + "/feedback")
                .then().statusCode(200).body("rating", equalTo(2));
        as(ada, tenant).get("/generations/" + first).then().statusCode(200).body("rating", equalTo(2));
        as(ada, tenant).body("{\"rating\":5}").post("/generations/" + bobs + "/feedback").then().statusCode(404);
        as(ada, tenant).body("{\"rating\":9}").post("/generations/" + first + "/feedback").then().statusCode(400)
                .body("violations[0].field", containsString("rating"));

        as(ada, tenant).delete("/generations/" + third).then().statusCode(204);
        as(ada, tenant).get("/generations/" + third).then().statusCode(404);
        as(ada, tenant).delete("/generations").then().statusCode(200).body("deleted", equalTo(2));
        as(ada, tenant).get("/generations").then().statusCode(200).body("total", equalTo(0));
        assertEquals(1, Sql.number("select count(*) from generation.generations where user_id = ?", bob));
        assertEquals(1, Sql.number("select count(*) from generation.generations where tenant_id = ?", otherTenant));
        assertEquals(0, Sql.number("select count(*) from generation.feedback where user_id = ?", ada),
                "ratings go with their generations");
    }

    private static String generate(UUID tenant, UUID user, String content) {
        String id = as(user, tenant)
                .body("{\"model\":\"premium\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\",\"content\":\"" + content
                        + "\"}]}")
                .post("/v1/chat/completions").then().statusCode(200).extract().path("id");
        return id.substring("chatcmpl-".length());
    }

    private static RequestSpecification as(UUID user, UUID tenant) {
        return Callers.as(user, tenant, "member");
    }
}
