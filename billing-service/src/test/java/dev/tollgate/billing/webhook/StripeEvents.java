package dev.tollgate.billing.webhook;

import com.stripe.net.Webhook;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import java.util.UUID;

/**
 * Stripe events as Stripe sends them: the event JSON of its API, and a {@code Stripe-Signature} header computed
 * exactly as Stripe computes it (HMAC-SHA256 of {@code <timestamp>.<body>} with the endpoint's secret).
 */
public final class StripeEvents {

    public static final String SECRET = "whsec_test_only_tollgate_webhook_secret";
    public static final String PRICE_BASIC = "price_local_basic";
    public static final String PRICE_PRO = "price_local_pro";

    private StripeEvents() {
    }

    /** {@code Stripe-Signature} for {@code body}, signed at {@code timestamp} (Unix seconds) with {@code secret}. */
    public static String signature(String body, long timestamp, String secret) {
        try {
            return "t=" + timestamp + ",v1=" + Webhook.Util.computeHmacSha256(secret, timestamp + "." + body);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    public static String signature(String body) {
        return signature(body, System.currentTimeMillis() / 1000, SECRET);
    }

    /** A {@code customer.subscription.*} event created at {@code created} (Unix seconds). */
    public static String subscription(String type, long created, UUID tenant, String subscriptionId, String customer,
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
    public static String checkoutCompleted(long created, UUID tenant, String customer) {
        return checkoutCompleted(created, tenant, customer, "cs_test_" + tenant);
    }

    /** {@code checkout.session.completed} of the session {@code sessionId}. */
    public static String checkoutCompleted(long created, UUID tenant, String customer, String sessionId) {
        return """
                {"id":"evt_%s","object":"event","api_version":"2025-01-27.acacia","created":%d,"livemode":false,
                 "type":"checkout.session.completed","data":{"object":{"id":"%s","object":"checkout.session",
                 "client_reference_id":"%s","customer":"%s","mode":"subscription","status":"complete"}}}"""
                .formatted(UUID.randomUUID().toString().replace("-", ""), created, sessionId, tenant, customer);
    }

    /** {@code checkout.session.expired} of the session {@code sessionId}. */
    public static String checkoutExpired(long created, UUID tenant, String sessionId) {
        return """
                {"id":"evt_%s","object":"event","api_version":"2025-01-27.acacia","created":%d,"livemode":false,
                 "type":"checkout.session.expired","data":{"object":{"id":"%s","object":"checkout.session",
                 "client_reference_id":"%s","mode":"subscription","status":"expired"}}}"""
                .formatted(UUID.randomUUID().toString().replace("-", ""), created, sessionId, tenant);
    }

    /** An {@code invoice.*} event for an invoice of {@code subscriptionId}, created at {@code created}. */
    public static String invoice(String type, long created, UUID tenant, String invoiceId, String customer,
            String subscriptionId, String status, long amountDue, long amountPaid, String email) {
        return """
                {"id":"evt_%s","object":"event","api_version":"2025-03-31.basil","created":%d,"livemode":false,
                 "type":"%s","data":{"object":{"id":"%s","object":"invoice","customer":"%s","status":"%s",
                 "number":"TG-%s","currency":"usd","amount_due":%d,"amount_paid":%d,"created":%d,
                 "period_start":%d,"period_end":%d,"customer_email":"%s","customer_name":"Ada Customer",
                 "hosted_invoice_url":"https://invoice.stripe.com/i/%s","invoice_pdf":"https://pay.stripe.com/invoice/%s/pdf",
                 "parent":{"type":"subscription_details","subscription_details":{"subscription":"%s",
                   "metadata":{"tenant_id":"%s"}}}}}}"""
                .formatted(UUID.randomUUID().toString().replace("-", ""), created, type, invoiceId, customer, status,
                        invoiceId, amountDue, amountPaid, created, created - 30L * 86400, created, email, invoiceId,
                        invoiceId, subscriptionId, tenant);
    }

    /** {@code customer.deleted} for {@code customer}. */
    public static String customerDeleted(long created, String customer) {
        return """
                {"id":"evt_%s","object":"event","api_version":"2025-03-31.basil","created":%d,"livemode":false,
                 "type":"customer.deleted","data":{"object":{"id":"%s","object":"customer","deleted":true}}}"""
                .formatted(UUID.randomUUID().toString().replace("-", ""), created, customer);
    }

    /** Posts {@code event} to the webhook endpoint, signed now with the test secret. */
    public static Response post(String event) {
        return RestAssured.given().header("Stripe-Signature", signature(event))
                .contentType("application/json").body(event).post("/billing/webhooks/stripe");
    }

    /**
     * Subscribes {@code tenant} to {@code price} as Stripe's webhooks would after a checkout: its customer is
     * {@code cus_<tenant>}, its subscription {@code sub_<tenant>}, created {@code created} (Unix seconds).
     */
    public static void subscribe(UUID tenant, String price, long created) {
        post(checkoutCompleted(created, tenant, "cus_" + tenant)).then().statusCode(200);
        post(subscription("customer.subscription.created", created, tenant, "sub_" + tenant, "cus_" + tenant, price,
                "active", false, created)).then().statusCode(200);
    }
}
