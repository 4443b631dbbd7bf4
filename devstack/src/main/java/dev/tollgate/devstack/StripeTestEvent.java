package dev.tollgate.devstack;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Sends the local run's billing-service the webhooks Stripe sends after a checkout ({@code checkout.session.completed},
 * then {@code customer.subscription.created}), signed as Stripe signs them with the local run's webhook secret:
 * {@code ./tollgate stripe-event checkout <tenant> <price> [customer]}. The Stripe emulator's checkout page prints
 * the command with its values filled in.
 */
public final class StripeTestEvent {

    /** billing-service's webhook secret in the local profile. */
    public static final String LOCAL_SECRET = "whsec_local_only_tollgate_webhook_secret";

    private StripeTestEvent() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length < 3 || !"checkout".equals(args[0])) {
            System.err.println("usage: ./tollgate stripe-event checkout <tenant-id> <stripe-price-id> [customer-id] "
                    + "[checkout-session-id]");
            System.err.println("  e.g. ./tollgate stripe-event checkout 6f1c...-... price_local_pro");
            System.exit(2);
        }
        UUID tenant = UUID.fromString(args[1]);
        String price = args[2];
        String customer = args.length > 3 && !args[3].isBlank() ? args[3] : "cus_local_" + tenant.toString().replace("-", "");
        String session = args.length > 4 && !args[4].isBlank() ? args[4] : "cs_test_local_" + id();
        // through the local gateway, where Stripe would reach billing-service too; TOLLGATE_URL names another
        String billing = System.getenv().getOrDefault("TOLLGATE_URL", "http://localhost:" + Gateway.LOCAL_PORT);
        for (String event : checkoutEvents(tenant, price, customer, session)) {
            String answer = send(billing, event);
            System.out.println(answer);
            if (!answer.startsWith("200 ")) {
                System.exit(1);
            }
        }
    }

    /**
     * The events Stripe sends after {@code tenant}'s checkout {@code session} of {@code price} by {@code customer},
     * oldest first: {@code checkout.session.completed}, then {@code customer.subscription.created} (a new
     * subscription, active, a month's period).
     */
    public static List<String> checkoutEvents(UUID tenant, String price, String customer, String session) {
        long now = System.currentTimeMillis() / 1000;
        String subscription = "sub_local_" + id();
        return List.of("""
                {"id":"evt_local_%s","object":"event","api_version":"2025-03-31.basil","created":%d,"livemode":false,
                 "type":"checkout.session.completed","data":{"object":{"id":"%s","object":"checkout.session",
                 "client_reference_id":"%s","customer":"%s","subscription":"%s","mode":"subscription","status":"complete"}}}"""
                .formatted(id(), now, session, tenant, customer, subscription),
                """
                        {"id":"evt_local_%s","object":"event","api_version":"2025-03-31.basil","created":%d,"livemode":false,
                         "type":"customer.subscription.created","data":{"object":{"id":"%s","object":"subscription",
                         "customer":"%s","status":"active","cancel_at_period_end":false,"metadata":{"tenant_id":"%s"},
                         "items":{"object":"list","has_more":false,"data":[{"id":"si_%s","object":"subscription_item",
                         "current_period_start":%d,"current_period_end":%d,
                         "price":{"id":"%s","object":"price","currency":"usd","recurring":{"interval":"month"}}}]}}}}"""
                        .formatted(id(), now + 1, subscription, customer, tenant, subscription, now, now + 30L * 86400, price));
    }

    /** {@code Stripe-Signature} for {@code body} at {@code timestamp}: HMAC-SHA256 of {@code <timestamp>.<body>}. */
    public static String signature(String body, long timestamp, String secret) throws Exception {
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        byte[] digest = mac.doFinal((timestamp + "." + body).getBytes(StandardCharsets.UTF_8));
        return "t=" + timestamp + ",v1=" + HexFormat.of().formatHex(digest);
    }

    /** Posts {@code body} to billing-service's webhook endpoint, signed now with the local secret; "status body". */
    public static String send(String billing, String body) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(URI.create(billing + "/billing/webhooks/stripe"))
                .header("Content-Type", "application/json")
                .header("Stripe-Signature", signature(body, System.currentTimeMillis() / 1000, LOCAL_SECRET))
                .POST(HttpRequest.BodyPublishers.ofString(body))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
        return response.statusCode() + " " + response.body();
    }

    private static String id() {
        return UUID.randomUUID().toString().replace("-", "");
    }
}
