package dev.tollgate.fault;

import static com.github.tomakehurst.wiremock.client.WireMock.deleteRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.postRequestedFor;
import static com.github.tomakehurst.wiremock.client.WireMock.urlPathEqualTo;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.github.tomakehurst.wiremock.client.WireMock;
import dev.tollgate.devstack.StripeTestEvent;
import java.net.URI;
import java.net.URLDecoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Checkouts of one tenant racing on both billing replicas against the Stripe emulator: one Checkout Session, one
 * subscription; and a second subscription Stripe reports anyway is cancelled and refunded, the first kept.
 */
class CheckoutRaceTest {

    private static final Duration PATIENCE = Duration.ofMinutes(2);
    private static final Pattern SESSION = Pattern.compile("\"sessionId\":\"([^\"]+)\"");
    private static final Pattern SUBSCRIPTION = Pattern.compile("\"id\":\"(sub_local_[0-9a-f]+)\"");
    private static Cluster cluster;

    @BeforeAll
    static void start() {
        cluster = Cluster.start();
    }

    @Test
    void checkoutsRacingOnTwoReplicasMakeOneSessionAndOneLiveSubscription() throws Exception {
        UUID tenant = UUID.randomUUID();
        WireMock stripe = new WireMock(cluster.stripe().port());
        HttpClient http = HttpClient.newHttpClient();
        ExecutorService tabs = Executors.newFixedThreadPool(10);
        List<Future<HttpResponse<String>>> checkouts = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            int replica = i % 2;
            String token = cluster.token(UUID.randomUUID(), tenant, "owner");
            checkouts.add(tabs.submit(() -> http.send(HttpRequest.newBuilder(URI.create(cluster.url("billing", replica)
                    + "/billing/checkout")).header("Authorization", "Bearer " + token)
                    .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(
                            "{\"plan\":\"pro\"}"))
                    .build(), HttpResponse.BodyHandlers.ofString())));
        }
        Set<String> sessions = new HashSet<>();
        for (Future<HttpResponse<String>> checkout : checkouts) {
            HttpResponse<String> answer = checkout.get();
            assertEquals(200, answer.statusCode(), answer.body());
            Matcher session = SESSION.matcher(answer.body());
            assertTrue(session.find(), answer.body());
            sessions.add(session.group(1));
        }
        tabs.shutdown();
        assertEquals(1, sessions.size(), "every tab on either replica is sent to one session: " + sessions);
        assertEquals(1, stripe.find(postRequestedFor(urlPathEqualTo("/v1/checkout/sessions"))).stream()
                .filter(request -> request.getBodyAsString().contains(tenant.toString())).count(),
                "Stripe was asked for one session");

        // Stripe completes it: one subscription
        String customer = "cus_local_" + tenant.toString().replace("-", "");
        String first = webhooks(0, StripeTestEvent.checkoutEvents(tenant, "price_local_pro", customer,
                sessions.iterator().next()));
        await().atMost(PATIENCE).until(() -> cluster.number("select count(*) from billing.subscriptions where "
                + "tenant_id = ? and stripe_subscription_id = ? and plan = 'pro'", tenant, first) == 1);

        // Stripe reports a second live subscription anyway (a payment it took twice): cancelled and refunded
        String second = webhooks(1, StripeTestEvent.checkoutEvents(tenant, "price_local_basic", customer,
                "cs_test_local_" + UUID.randomUUID().toString().replace("-", "")));
        await().atMost(PATIENCE).until(() -> cluster.number("select count(*) from billing.stripe_tasks where kind = "
                + "'cancel-duplicate' and stripe_subscription_id = ? and done_at is not null", second) == 1);
        assertEquals(1, stripe.find(deleteRequestedFor(urlPathEqualTo("/v1/subscriptions/" + second))).size());
        assertEquals(1, stripe.find(postRequestedFor(urlPathEqualTo("/v1/refunds"))).stream()
                .filter(request -> URLDecoder.decode(request.getBodyAsString(), StandardCharsets.UTF_8)
                        .contains("metadata[duplicate_subscription]=" + second))
                .count());
        assertEquals(0, stripe.find(deleteRequestedFor(urlPathEqualTo("/v1/subscriptions/" + first))).size());
        assertEquals(1, cluster.number("select count(*) from billing.subscriptions where tenant_id = ? and "
                + "stripe_subscription_id = ? and plan = 'pro'", tenant, first), "the first subscription stays");
        double counted = 0;
        for (int replica = 0; replica < Cluster.REPLICAS; replica++) {
            counted += cluster.counter("billing", replica, "tollgate_billing_subscription_duplicates_total", "");
        }
        assertEquals(1, counted, "the duplicate is counted once, for the alert");
    }

    /** Sends Stripe's signed {@code events} to {@code replica} of billing; answers the subscription they name. */
    private static String webhooks(int replica, List<String> events) throws Exception {
        String subscription = null;
        for (String event : events) {
            String answer = StripeTestEvent.send(cluster.url("billing", replica), event);
            assertTrue(answer.startsWith("200 "), answer);
            Matcher named = SUBSCRIPTION.matcher(event);
            if (named.find()) {
                subscription = named.group(1);
            }
        }
        return subscription;
    }
}
