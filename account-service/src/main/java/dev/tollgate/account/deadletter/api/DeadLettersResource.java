package dev.tollgate.account.deadletter.api;

import dev.tollgate.common.inbox.DeadLetters;
import dev.tollgate.common.inbox.api.DeadLetterEndpoints;
import jakarta.ws.rs.Path;

/** account-service's dead letters, for a platform operator (see {@link DeadLetterEndpoints}). */
@Path("/account/operator/dead-letters")
public class DeadLettersResource extends DeadLetterEndpoints {

    public DeadLettersResource(DeadLetters deadLetters) {
        super(deadLetters);
    }
}
