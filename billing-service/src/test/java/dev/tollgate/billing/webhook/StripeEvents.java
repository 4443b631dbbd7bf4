package dev.tollgate.billing.webhook;

import com.stripe.net.Webhook;
import java.util.UUID;

/**
 * Stripe events as Stripe sends them: the event JSON of its API, and a {@code Stripe-Signature} header computed
 * exactly as Stripe computes it (HMAC-SHA256 of {@code <timestamp>.<body>} with the endpoint's secret).
 */
final class StripeEvents {

    static final String SECRET = "whsec_test_only_tollgate_webhook_secret";
    static final String PRICE_BASIC = "price_local_basic";
    static final String PRICE_PRO = "price_local_pro";

    private StripeEvents() {
    }

    /** {@code Stripe-Signature} for {@code body}, signed at {@code timestamp} (Unix seconds) with {@code secret}. */
    static String signature(String body, long timestamp, String secret) {
        try {
            return "t=" + timestamp + ",v1=" + Webhook.Util.computeHmacSha256(secret, timestamp + "." + body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static String signature(String body) {
        return signature(body, System.currentTimeMillis() / 1000, SECRET);
    }

    /** A {@code customer.subscription.*} event created at {@code created} (Unix seconds). */
    static String subscription(String type, long created, UUID tenant, String subscriptionId, String customer,
                               String price, String status, boolean cancelAtPeriodEnd, long periodStart) {
        String id = "evt_" + UUID.randomUUID().toString().replace("-", "");
        return """
                {"id":"%s","object":"event","api_version":"2025-01-27.acacia","created":%d,"livemode":false,
                 "pending_webhooks":1,"type":"%s","request":{"id":null,"idempotency_key":null},
                 "data":{"object":{"id":"%s","object":"subscription","customer":"%s","status":"%s",
                   "cancel_at_period_end":%s,"metadata":{"tenant_id":"%s"},
                   "items":{"object":"list","has_more":false,"data":[{"id":"si_%s","object":"subscription_item",
                     "current_period_start":%d,"current_period_end":%d,
                     "price":{"id":"%s","object":"price","currency":"usd","unit_amount":2900}}]}}}}"""
                .formatted(id, created, type, subscriptionId, customer, status, cancelAtPeriodEnd, tenant,
                        subscriptionId, periodStart, periodStart + 30L * 86400, price);
    }

    /** {@code checkout.session.completed} for {@code tenant}'s checkout by {@code customer}. */
    static String checkoutCompleted(long created, UUID tenant, String customer) {
        return """
                {"id":"evt_%s","object":"event","api_version":"2025-01-27.acacia","created":%d,"livemode":false,
                 "type":"checkout.session.completed","data":{"object":{"id":"cs_test_%s","object":"checkout.session",
                 "client_reference_id":"%s","customer":"%s","mode":"subscription","status":"complete"}}}"""
                .formatted(UUID.randomUUID().toString().replace("-", ""), created, tenant, tenant, customer);
    }
}
