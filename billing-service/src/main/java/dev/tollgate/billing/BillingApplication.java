package dev.tollgate.billing;

import jakarta.ws.rs.core.Application;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;

/** billing-service: stripe: plans, checkout, subscriptions, webhooks, invoices. */
@OpenAPIDefinition(info = @Info(title = "Tollgate billing-service", version = "0.1.0", description = "Stripe: plans, checkout, subscriptions, webhooks, invoices."))
public class BillingApplication extends Application {
}
