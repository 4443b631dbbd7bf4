package dev.tollgate.billing.plan;

import com.stripe.exception.ApiConnectionException;
import com.stripe.exception.ApiException;
import com.stripe.exception.InvalidRequestException;
import com.stripe.exception.RateLimitException;
import com.stripe.exception.StripeException;
import com.stripe.model.Price;
import dev.tollgate.billing.config.BillingConfig;
import dev.tollgate.billing.stripe.StripeCalls;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * At start-up, checks each paid plan's Stripe price: it must exist, be active and recur. A price Stripe does not
 * have stops the start with the plan named (a typo in {@code STRIPE_PRICE_PRO} would otherwise surface as a
 * failed checkout); Stripe being unreachable only logs a warning, so billing starts during a Stripe outage.
 */
@ApplicationScoped
public class ValidatePrices {

    private static final Logger LOG = Logger.getLogger(ValidatePrices.class);

    private final PlanCatalog catalog;
    private final StripeCalls stripe;
    private final BillingConfig config;

    public ValidatePrices(PlanCatalog catalog, StripeCalls stripe, BillingConfig config) {
        this.catalog = catalog;
        this.stripe = stripe;
        this.config = config;
    }

    void onStart(@Observes StartupEvent event) {
        if (!config.stripe().validatePrices()) {
            return;
        }
        List<String> wrong = new ArrayList<>();
        for (PlanCatalog.CatalogPlan plan : catalog.all()) {
            if (plan.stripePriceId() == null) {
                continue;
            }
            try {
                Price price = stripe.call("retrieve price", client -> client.v1().prices().retrieve(plan.stripePriceId()));
                if (!Boolean.TRUE.equals(price.getActive()) || price.getRecurring() == null) {
                    wrong.add("plan " + plan.name() + ": Stripe price " + plan.stripePriceId() + " is "
                            + (Boolean.TRUE.equals(price.getActive()) ? "not recurring" : "archived"));
                }
            } catch (RateLimitException | ApiException | ApiConnectionException e) {
                LOG.warnf("billing: could not check the Stripe price of plan %s (%s): %s; checkouts will tell",
                        plan.name(), plan.stripePriceId(), e.getMessage());
            } catch (InvalidRequestException e) {
                wrong.add(
                        "plan " + plan.name() + ": Stripe has no price " + plan.stripePriceId() + " (" + e.getMessage() + ")");
            } catch (StripeException e) {
                wrong.add("plan " + plan.name() + ": Stripe refused to show price " + plan.stripePriceId() + " ("
                        + e.getMessage() + ")");
            }
        }
        if (!wrong.isEmpty()) {
            throw new IllegalStateException("billing: the plan catalog names Stripe prices that cannot be sold: "
                    + String.join("; ", wrong) + ". Fix tollgate.billing.plans.<plan>.stripe-price-id (STRIPE_PRICE_*)");
        }
        LOG.infof("billing: the Stripe prices of %d paid plans are active and recurring",
                catalog.all().stream().filter(plan -> plan.stripePriceId() != null).count());
    }
}
