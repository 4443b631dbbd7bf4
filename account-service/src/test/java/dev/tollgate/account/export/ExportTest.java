package dev.tollgate.account.export;

import static com.github.tomakehurst.wiremock.client.WireMock.aResponse;
import static com.github.tomakehurst.wiremock.client.WireMock.get;
import static com.github.tomakehurst.wiremock.client.WireMock.getRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlEqualTo;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.stubbing.Scenario;
import dev.tollgate.account.FakeAuth;
import dev.tollgate.testing.Callers;
import dev.tollgate.testing.DevStackTestResource;
import dev.tollgate.testing.Sql;
import dev.tollgate.testing.TestIssuerResource;
import io.quarkus.test.common.QuarkusTestResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.Test;

/**
 * POST /account/exports: gathered from every service's internal endpoint (WireMock speaking for the four others)
 * into a ZIP with a manifest, downloadable by its owner only until it expires; a day's limit; a service failing
 * once is waited for, not skipped.
 */
@QuarkusTest
@QuarkusTestResource(DevStackTestResource.class)
@QuarkusTestResource(TestIssuerResource.class)
@QuarkusTestResource(FakeAuth.class)
class ExportTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @Test
    void anExportHoldsEveryServicesDataAndOnlyItsOwnerDownloadsIt() throws Exception {
        UUID user = UUID.randomUUID();
        UUID tenant = UUID.randomUUID();
        stubAll(user, tenant);
        Callers.as(user, tenant, "owner").body("{\"displayName\":\"Ada\"}").patch("/account/me").then().statusCode(200);

        Response started = Callers.as(user, tenant, "owner").post("/account/exports");
        started.then().statusCode(202).body("status", equalTo("queued"));
        String id = started.path("exportId");
        assertTrue(started.header("Location").endsWith("/account/exports/" + id));
        await().atMost(PATIENCE).until(() -> "ready".equals(Callers.as(user, tenant, "owner").get("/account/exports/" + id)
                .path("status")));
        Response view = Callers.as(user, tenant, "owner").get("/account/exports/" + id);
        view.then().body("downloadUrl", equalTo("/account/exports/" + id + "/download"))
                .body("services.status", equalTo(List.of("done", "done", "done", "done", "done")));

        Response download = Callers.as(user, tenant, "owner").get("/account/exports/" + id + "/download");
        download.then().statusCode(200).contentType("application/zip")
                .header("Content-Disposition", equalTo("attachment; filename=\"tollgate-export-" + id + ".zip\""));
        byte[] zip = download.asByteArray();
        assertEquals("sha-256=" + sha256(zip), download.header("Digest"));
        Map<String, byte[]> files = unzip(zip);
        assertEquals(List.of("auth.json", "billing.json", "generation.json", "metering.json", "account.json",
                "manifest.json"), List.copyOf(files.keySet()));
        assertEquals("ada@example.com", json(files, "auth.json").getJsonObject("account").getString("email"));
        assertEquals("pro", json(files, "billing.json").getJsonArray("tenants").getJsonObject(0)
                .getJsonObject("subscription").getString("plan"));
        assertEquals("plan a hike", json(files, "generation.json").getJsonArray("generations").getJsonObject(0)
                .getString("prompt"));
        assertEquals(40, json(files, "metering.json").getJsonArray("usageEvents").getJsonObject(0)
                .getJsonObject("quantities").getInteger("output_tokens"));
        assertEquals("Ada", json(files, "account.json").getJsonObject("profile").getString("displayName"));
        JsonArray listed = json(files, "manifest.json").getJsonArray("files");
        assertEquals(5, listed.size());
        for (Object entry : listed) {
            JsonObject file = (JsonObject) entry;
            assertEquals(sha256(files.get(file.getString("file"))), file.getString("sha256"), file.encode());
        }
        // billing was asked about the user alone: which tenants they run it asks auth itself
        assertEquals(1, FakeAuth.server().findAll(getRequestedFor(urlEqualTo("/billing/internal/users/" + user
                + "/export"))).size());

        UUID stranger = UUID.randomUUID();
        Callers.as(stranger, tenant, "owner").get("/account/exports/" + id).then().statusCode(404);
        Callers.as(stranger, tenant, "owner").get("/account/exports/" + id + "/download").then().statusCode(404);

        // the link expires: 410, and the archive is dropped
        Sql.update("update account.export_jobs set expires_at = now() - interval '1 second' where id = ?", UUID.fromString(id));
        Callers.as(user, tenant, "owner").get("/account/exports/" + id + "/download").then().statusCode(410)
                .body("type", equalTo("https://tollgate.dev/problems/export-expired"));
        Callers.as(user, tenant, "owner").get("/account/exports/" + id).then().body("status", equalTo("expired"))
                .body("downloadUrl", nullValue());
        await().atMost(PATIENCE).until(() -> Sql.number("select count(*) from account.export_jobs where id = ? "
                + "and archive is null and status = 'expired'", UUID.fromString(id)) == 1);
    }

    @Test
    void aServiceFailingIsWaitedForAndTheDaysLimitHolds() {
        UUID user = UUID.randomUUID();
        UUID tenant = UUID.randomUUID();
        stubAll(user, tenant);
        String scenario = "generation-down-" + user;
        FakeAuth.server().stubFor(get(urlPathEqualTo("/generations/internal/users/" + user + "/export")).atPriority(1)
                .inScenario(scenario).whenScenarioStateIs(Scenario.STARTED).willSetStateTo("back")
                .willReturn(aResponse().withStatus(503)));

        String id = Callers.as(user, tenant, "member").post("/account/exports").then().statusCode(202)
                .extract().path("exportId");
        // asked again while it is gathered: the same export
        Callers.as(user, tenant, "member").post("/account/exports").then().statusCode(202)
                .body("exportId", equalTo(id)).body("existing", equalTo(true));
        await().atMost(PATIENCE).until(() -> "ready".equals(Callers.as(user, tenant, "member")
                .get("/account/exports/" + id).path("status")));
        assertEquals(1, Sql.number("select attempts from account.export_jobs where id = ?", UUID.fromString(id)),
                "one attempt failed on generation-service and was tried again");

        // two more today are allowed, then the limit
        Sql.update("insert into account.export_jobs (id, user_id, tenant_id, status, next_attempt_at, requested_at) "
                + "values (?, ?, ?, 'expired', now(), now() - interval '1 hour'), (?, ?, ?, 'expired', now(), now() - interval '2 hours')",
                UUID.randomUUID(), user, tenant, UUID.randomUUID(), user, tenant);
        Callers.as(user, tenant, "member").post("/account/exports").then().statusCode(429)
                .contentType("application/problem+json")
                .body("type", equalTo("https://tollgate.dev/problems/export-rate-limited"))
                .header("Retry-After", notNullValue());
    }

    private static void stubAll(UUID user, UUID tenant) {
        FakeAuth.exports(user,
                "{\"account\":{\"id\":\"" + user + "\",\"email\":\"ada@example.com\"},\"memberships\":[{\"tenantId\":\""
                        + tenant + "\",\"role\":\"owner\"},{\"tenantId\":\"" + UUID.randomUUID() + "\",\"role\":\"member\"}]}",
                "{\"tenants\":[{\"tenantId\":\"" + tenant + "\",\"subscription\":{\"plan\":\"pro\"},\"invoices\":[]}]}",
                "{\"generations\":[{\"prompt\":\"plan a hike\"}],\"feedback\":[]}",
                "{\"usageEvents\":[{\"quantities\":{\"output_tokens\":40}}],\"monthlyTotals\":[]}");
    }

    private static Map<String, byte[]> unzip(byte[] zip) throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                files.put(entry.getName(), in.readAllBytes());
            }
        }
        return files;
    }

    private static JsonObject json(Map<String, byte[]> files, String name) {
        return new JsonObject(new String(files.get(name), StandardCharsets.UTF_8));
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }
}
