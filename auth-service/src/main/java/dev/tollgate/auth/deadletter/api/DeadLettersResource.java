package dev.tollgate.auth.deadletter.api;

import dev.tollgate.common.inbox.DeadLetters;
import dev.tollgate.common.inbox.api.DeadLetterEndpoints;
import jakarta.ws.rs.Path;

/** auth-service's dead letters, for a platform operator (see {@link DeadLetterEndpoints}). */
@Path("/auth/operator/dead-letters")
public class DeadLettersResource extends DeadLetterEndpoints {

    public DeadLettersResource(DeadLetters deadLetters) {
        super(deadLetters);
    }
}
