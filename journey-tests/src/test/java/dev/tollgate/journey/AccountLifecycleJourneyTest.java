package dev.tollgate.journey;

import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static io.restassured.RestAssured.given;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.client.WireMock;
import dev.tollgate.devstack.StripeTestEvent;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.specification.RequestSpecification;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A person's whole stay, across the five packaged services: they sign in, generate, subscribe (billed through the
 * Stripe emulator and signed webhooks) and are metered, export their data (the ZIP holds every service's part),
 * find all of it in their tenant's audit log, then delete their account while metering-service is down. The erasure completes
 * once metering is back, and
 * afterwards no service's schema holds anything of theirs.
 */
class AccountLifecycleJourneyTest {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static Suite suite;

    @BeforeAll
    static void start() {
        suite = Suite.start();
    }

    @Test
    void aUserIsServedBilledExportedAndThenErasedFromEveryService() throws Exception {
        String email = "lifecycle+" + UUID.randomUUID() + "@example.com";
        String access = Journeys.signIn(suite, email);
        JsonPath claims = new JsonPath(new String(Base64.getUrlDecoder().decode(access.split("\\.")[1]),
                StandardCharsets.UTF_8));
        UUID user = UUID.fromString(claims.getString("sub"));
        UUID tenant = UUID.fromString(claims.getString("tid"));

        // served and metered
        as("generation", access).body("{\"model\":\"small\",\"max_tokens\":40,\"messages\":[{\"role\":\"user\","
                + "\"content\":\"Plan a hike in the Jura\"}]}").post("/v1/chat/completions").then().statusCode(200);
        assertNotNull(Journeys.eventually(PATIENCE, () -> {
            Integer used = as("metering", access).get("/usage").then().statusCode(200).extract()
                    .path("metrics.find { it.metric == 'generations' }.used");
            return used != null && used == 1 ? used : null;
        }), "metering counted the generation");

        // billed: a checkout at the Stripe emulator, whose page names the command that sends the webhooks Stripe
        // would send; the journey runs what that command runs, against this suite's billing-service
        subscribe(access, tenant);
        as("account", access).body("{\"displayName\":\"Ada Hiker\"}").patch("/account/me").then().statusCode(200);

        // exported: one ZIP with every service's part
        String exportId = as("account", access).post("/account/exports").then().statusCode(202).extract().path("exportId");
        assertNotNull(Journeys.eventually(PATIENCE, () -> "ready".equals(as("account", access)
                .get("/account/exports/" + exportId).path("status")) ? true : null), "the export is gathered");
        Map<String, JsonPath> files = unzip(as("account", access).get("/account/exports/" + exportId + "/download")
                .then().statusCode(200).extract().asByteArray());
        assertEquals(List.of("auth.json", "billing.json", "generation.json", "metering.json", "account.json",
                "manifest.json"), List.copyOf(files.keySet()));
        assertEquals(email, files.get("auth.json").getString("account.email"));
        assertEquals("pro", files.get("billing.json").getString("tenants[0].subscription.plan"));
        assertTrue(files.get("generation.json").getString("generations[0].prompt").contains("Jura"));
        assertEquals(1, files.get("metering.json").getList("usageEvents").size());
        assertEquals("Ada Hiker", files.get("account.json").getString("profile.displayName"));

        // the tenant's audit log holds what auth, billing and account recorded, through Kafka
        assertNotNull(Journeys.eventually(PATIENCE, () -> {
            List<String> actions = as("account", access).get("/account/audit").then().statusCode(200).extract()
                    .path("entries.action");
            return actions.containsAll(List.of("auth.signed-in", "billing.plan-changed", "account.export-requested"))
                    ? actions
                    : null;
        }), "the audit log has the sign-in, the plan change and the export");

        // erased while metering-service is down: the others answer, metering when it is back
        suite.stop("metering");
        String deletion = as("account", access).delete("/account/me").then().statusCode(202).extract().path("deletionId");
        assertNotNull(Journeys.eventually(PATIENCE, () -> {
            List<String> done = as("account", access).get("/account/deletions/" + deletion).then().extract()
                    .path("services.findAll { it.status == 'done' }.service");
            return done.size() == 4 ? done : null;
        }), "four services receipted while metering was down");
        assertEquals("pending", as("account", access).get("/account/deletions/" + deletion)
                .path("services.find { it.service == 'metering' }.status"));
        suite.restart("metering");
        assertNotNull(Journeys.eventually(PATIENCE, () -> "complete".equals(as("account", access)
                .get("/account/deletions/" + deletion).path("status")) ? true : null), "complete once metering is back");

        try (Connection db = suite.database()) {
            Map<String, Object[]> checks = new LinkedHashMap<>();
            checks.put("select count(*) from auth.users where id = ? or email = ?", new Object[] { user, email });
            checks.put("select count(*) from auth.memberships where user_id = ?", new Object[] { user });
            checks.put("select count(*) from auth.refresh_families where user_id = ?", new Object[] { user });
            checks.put("select count(*) from auth.magic_link_challenges where email = ?", new Object[] { email });
            checks.put("select count(*) from billing.customers where tenant_id = ?", new Object[] { tenant });
            checks.put("select count(*) from billing.subscriptions where tenant_id = ?", new Object[] { tenant });
            checks.put("select count(*) from billing.invoices where customer_email = ?", new Object[] { email });
            checks.put("select count(*) from generation.generations where user_id = ?", new Object[] { user });
            checks.put("select count(*) from generation.feedback where user_id = ?", new Object[] { user });
            checks.put("select count(*) from metering.usage_events where user_id = ? or tenant_id = ?",
                    new Object[] { user, tenant });
            checks.put("select count(*) from metering.usage_aggregates where user_id = ?", new Object[] { user });
            checks.put("select count(*) from account.profiles where user_id = ?", new Object[] { user });
            checks.put("select count(*) from account.export_jobs where user_id = ?", new Object[] { user });
            for (Map.Entry<String, Object[]> check : checks.entrySet()) {
                assertEquals(0, count(db, check.getKey(), check.getValue()), check.getKey());
            }
        }
    }

    @Test
    void anOwnerWhoLeavesTakesEveryTenantTheyAloneOwnAndTheirMembersAreTold() throws Exception {
        String ownerEmail = "owner+" + UUID.randomUUID() + "@example.com";
        JsonPath owner = Journeys.session(suite, ownerEmail);
        String personalAccess = owner.getString("access_token");
        JsonPath claims = new JsonPath(new String(Base64.getUrlDecoder().decode(personalAccess.split("\\.")[1]),
                StandardCharsets.UTF_8));
        UUID ownerId = UUID.fromString(claims.getString("sub"));
        UUID personal = UUID.fromString(claims.getString("tid"));

        // a team the owner alone owns, with a member, on a paid plan
        UUID team = UUID.fromString(as("auth", personalAccess).body("{\"name\":\"Rocket\"}").post("/auth/tenants")
                .then().statusCode(201).extract().path("id"));
        String memberEmail = "member+" + UUID.randomUUID() + "@example.com";
        String memberAccess = Journeys.signIn(suite, memberEmail);
        as("auth", personalAccess).body("{\"email\":\"" + memberEmail + "\",\"role\":\"member\"}")
                .post("/auth/tenants/" + team + "/invitations").then().statusCode(202);
        String invitation = Journeys.eventually(PATIENCE, () -> suite.lastInvitationToken(memberEmail));
        assertNotNull(invitation, "the invitation reached auth-service's log");
        as("auth", memberAccess).body("{\"token\":\"" + invitation + "\"}").post("/auth/invitations/accept").then()
                .statusCode(200);
        UUID memberId = UUID.fromString(new JsonPath(new String(Base64.getUrlDecoder().decode(
                memberAccess.split("\\.")[1]), StandardCharsets.UTF_8)).getString("sub"));
        String teamAccess = given().baseUri(suite.url("auth")).auth().oauth2(personalAccess)
                .formParam("refresh_token", owner.getString("refresh_token")).post("/auth/tenants/" + team + "/switch")
                .then().statusCode(200).extract().path("access_token");
        subscribe(teamAccess, team);
        for (String access : List.of(personalAccess, teamAccess)) {
            as("generation", access).body("{\"model\":\"small\",\"max_tokens\":20,\"messages\":[{\"role\":\"user\","
                    + "\"content\":\"Name a colour\"}]}").post("/v1/chat/completions").then().statusCode(200);
        }
        String subscription;
        try (Connection db = suite.database()) {
            subscription = text(db, "select stripe_subscription_id from billing.subscriptions where tenant_id = ?", team);
        }
        assertNotNull(Journeys.eventually(PATIENCE, () -> {
            Integer used = as("metering", teamAccess).get("/usage").then().statusCode(200).extract()
                    .path("metrics.find { it.metric == 'generations' }.used");
            return used != null && used == 1 ? used : null;
        }), "metering counted the team's generation");

        // the owner leaves: both tenants go with them, everywhere
        String deletion = as("account", personalAccess).delete("/account/me").then().statusCode(202)
                .extract().path("deletionId");
        assertNotNull(Journeys.eventually(PATIENCE, () -> "complete".equals(as("account", personalAccess)
                .get("/account/deletions/" + deletion).path("status")) ? true : null), "the erasure completes");
        assertEquals(List.of(personal.toString(), team.toString()).stream().sorted().toList(),
                as("account", personalAccess).get("/account/deletions/" + deletion).jsonPath()
                        .getList("tenantsDeleted", String.class).stream().sorted().toList());
        WireMock stripe = new WireMock(suite.stripePort());
        assertEquals(1, stripe.find(deleteRequestedFor(urlPathEqualTo("/v1/subscriptions/" + subscription))).size(),
                "the team's subscription was cancelled at Stripe");

        try (Connection db = suite.database()) {
            for (String table : List.of("auth.tenants:id", "auth.memberships:tenant_id", "auth.api_keys:tenant_id",
                    "billing.subscriptions:tenant_id", "billing.customers:tenant_id",
                    "billing.checkout_sessions:tenant_id", "generation.generations:tenant_id",
                    "generation.entitlements:tenant_id", "metering.usage_events:tenant_id",
                    "metering.usage_aggregates:tenant_id", "metering.entitlements:tenant_id",
                    "account.audit_log:tenant_id")) {
                String[] at = table.split(":");
                assertEquals(0, count(db, "select count(*) from " + at[0] + " where " + at[1] + " in (?, ?)", personal,
                        team), table);
            }
            // the member stays, outside the team, and was told once; the owner was told once it was all done
            assertEquals(1, count(db, "select count(*) from auth.users where id = ?", memberId));
            assertEquals(0, count(db, "select count(*) from auth.memberships where user_id = ? and tenant_id = ?",
                    memberId, team));
            assertNotNull(Journeys.eventually(PATIENCE, () -> {
                try (Connection again = suite.database()) {
                    return count(again, "select count(*) from account.notifications where user_id = ? "
                            + "and kind = 'tenant-deleted'", memberId) == 1 ? true : null;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }), "the member was told");
            assertEquals(1, count(db, "select count(*) from account.notifications where key = ?",
                    "erasure-complete:" + deletion));
            assertEquals(0, count(db, "select count(*) from auth.users where id = ?", ownerId));
        }
    }

    /** Subscribes the tenant of {@code access} to pro through the Stripe emulator's checkout, as a person would. */
    private static void subscribe(String access, UUID tenant) throws Exception {
        String checkoutUrl = as("billing", access).body("{\"plan\":\"pro\"}").post("/billing/checkout").then()
                .statusCode(200).extract().path("url");
        String page = given().get(checkoutUrl).then().statusCode(200).extract().asString();
        String[] command = page.lines().map(String::strip).filter(line -> line.startsWith("./tollgate stripe-event checkout "))
                .findFirst().orElseThrow(() -> new AssertionError("the checkout page names the command: " + page))
                .split(" ");
        assertEquals(tenant.toString(), command[3], "the command names the tenant of the checkout");
        assertEquals("price_local_pro", command[4]);
        for (String event : StripeTestEvent.checkoutEvents(UUID.fromString(command[3]), command[4], command[5],
                command[6])) {
            assertTrue(StripeTestEvent.send(suite.url("billing"), event).startsWith("200 "), event);
        }
        assertNotNull(Journeys.eventually(PATIENCE, () -> "pro".equals(as("metering", access).get("/usage/limits")
                .path("plan")) ? true : null), "metering applies the plan billing announced");
    }

    private static String text(Connection db, String sql, Object... parameters) throws Exception {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        }
    }

    private static RequestSpecification as(String service, String access) {
        return given().baseUri(suite.url(service)).contentType(ContentType.JSON).auth().oauth2(access);
    }

    private static Map<String, JsonPath> unzip(byte[] zip) throws IOException {
        Map<String, JsonPath> files = new LinkedHashMap<>();
        try (ZipInputStream in = new ZipInputStream(new ByteArrayInputStream(zip))) {
            for (ZipEntry entry = in.getNextEntry(); entry != null; entry = in.getNextEntry()) {
                files.put(entry.getName(), new JsonPath(new String(in.readAllBytes(), StandardCharsets.UTF_8)));
            }
        }
        return files;
    }

    private static long count(Connection db, String sql, Object... parameters) throws Exception {
        try (PreparedStatement statement = db.prepareStatement(sql)) {
            for (int i = 0; i < parameters.length; i++) {
                statement.setObject(i + 1, parameters[i]);
            }
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }
}
