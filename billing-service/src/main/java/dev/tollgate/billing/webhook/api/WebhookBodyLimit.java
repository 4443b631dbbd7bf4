package dev.tollgate.billing.webhook.api;

import dev.tollgate.common.error.Problems;
import dev.tollgate.common.request.EarlyAnswers;
import io.quarkiverse.resteasy.problem.HttpProblem;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.ws.rs.core.Response;

/**
 * Stripe's events are small (a few KiB): a webhook body larger than {@value #MOST} bytes (256 KiB) is refused with
 * 413 {@code body-too-large} when its head says its length, before a byte of it is read, and by the endpoint when it
 * comes without one. Anyone may post to the endpoint, so it takes no more than an event needs.
 */
@ApplicationScoped
public class WebhookBodyLimit {

    /** The most bytes a webhook body may have. */
    public static final int MOST = 256 * 1024;
    /** After the request's id is given and before anything reads the body. */
    private static final int ORDER = Integer.MIN_VALUE + 102;

    private final EarlyAnswers answers;

    public WebhookBodyLimit(EarlyAnswers answers) {
        this.answers = answers;
    }

    void route(@Observes Router router) {
        router.route("/billing/webhooks/*").order(ORDER).handler(this::declared);
    }

    private void declared(RoutingContext request) {
        String length = request.request().getHeader("Content-Length");
        if (length != null && !length.isEmpty() && length.chars().allMatch(Character::isDigit)
                && (length.length() > 9 || Long.parseLong(length) > MOST)) {
            answers.refuse(request, tooLarge(), true);
            return;
        }
        request.next();
    }

    static HttpProblem tooLarge() {
        return Problems.builder(Response.Status.REQUEST_ENTITY_TOO_LARGE, "body-too-large", "Payload Too Large")
                .withDetail("a webhook body is at most 256 KiB").build();
    }
}
