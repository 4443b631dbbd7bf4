package dev.tollgate.billing.deadletter.api;

import dev.tollgate.common.inbox.DeadLetters;
import dev.tollgate.common.inbox.api.DeadLetterEndpoints;
import jakarta.ws.rs.Path;

/** billing-service's dead letters, for a platform operator (see {@link DeadLetterEndpoints}). */
@Path("/billing/operator/dead-letters")
public class DeadLettersResource extends DeadLetterEndpoints {

    public DeadLettersResource(DeadLetters deadLetters) {
        super(deadLetters);
    }
}
