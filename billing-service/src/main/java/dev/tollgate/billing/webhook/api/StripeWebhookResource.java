package dev.tollgate.billing.webhook.api;

import com.stripe.exception.SignatureVerificationException;
import com.stripe.model.Event;
import com.stripe.net.Webhook;
import dev.tollgate.billing.config.BillingConfig;
import dev.tollgate.billing.webhook.ApplyStripeEvent;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Access;
import io.micrometer.core.instrument.MeterRegistry;
import io.smallrye.mutiny.Uni;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.jboss.logging.Logger;

/**
 * Stripe's webhook endpoint. The body is taken as the bytes that came (at most {@link WebhookBodyLimit#MOST} of them:
 * larger is 413 before it is read) and verified against {@code Stripe-Signature} with the endpoint's secret and
 * tolerance (stripe-java's {@code Webhook.constructEvent}) before anything in it is parsed: a missing, wrong or stale
 * signature, or a body changed after signing, is 400 and applies nothing.
 */
@Access(anonymous = true)
@Path("/billing/webhooks/stripe")
public class StripeWebhookResource {

    private static final Logger LOG = Logger.getLogger(StripeWebhookResource.class);

    private final ApplyStripeEvent apply;
    private final BillingConfig config;
    private final MeterRegistry registry;

    public StripeWebhookResource(ApplyStripeEvent apply, BillingConfig config, MeterRegistry registry) {
        this.apply = apply;
        this.config = config;
        this.registry = registry;
    }

    @POST
    @Consumes(MediaType.WILDCARD)
    @Produces(MediaType.APPLICATION_JSON)
    @Operation(summary = "Stripe's events, signed; each applied once")
    public Uni<Map<String, Object>> receive(byte[] body, @HeaderParam("Stripe-Signature") String signature) {
        if (body != null && body.length > WebhookBodyLimit.MOST) { // sent without saying its length
            throw WebhookBodyLimit.tooLarge();
        }
        // the bytes as Stripe signed them (bytes that are not UTF-8 change here, and so fail the signature)
        String payload = body == null ? "" : new String(body, StandardCharsets.UTF_8);
        Event event;
        try {
            event = Webhook.constructEvent(payload, signature == null ? "" : signature,
                    config.stripe().webhookSecret(), config.stripe().webhookTolerance().toSeconds());
        } catch (SignatureVerificationException e) {
            registry.counter("tollgate.billing.webhooks", "type", "unknown", "outcome", "invalid-signature").increment();
            LOG.warnf("billing: a webhook was refused: %s", e.getMessage());
            throw Problems.badRequest("webhook-signature-invalid", "Webhook Signature Invalid",
                    "the Stripe-Signature header does not sign this body with the endpoint's secret within the "
                            + "tolerance: " + e.getMessage());
        } catch (RuntimeException e) { // signed, but not JSON Stripe can read
            throw Problems.badRequest("webhook-malformed", "Webhook Malformed", "the signed body is not a Stripe event");
        }
        return apply.apply(event).map(outcome -> Map.of("received", event.getId(), "outcome", outcome.label()));
    }
}
