package dev.tollgate.generation.apikey;

import dev.tollgate.common.event.ApiKeyRevoked;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import org.jboss.logging.Logger;

/**
 * {@code apikey.revoked}, as every replica reads it (common's {@code CredentialChanges}): the key is dropped from
 * this replica's memory at once, so none goes on trusting it.
 */
@ApplicationScoped
public class ApiKeyRevokedConsumer {

    private static final Logger LOG = Logger.getLogger(ApiKeyRevokedConsumer.class);

    private final VerifiedKeys keys;

    public ApiKeyRevokedConsumer(VerifiedKeys keys) {
        this.keys = keys;
    }

    void revoked(@Observes ApiKeyRevoked revoked) {
        int dropped = keys.evict(revoked.apiKeyId());
        LOG.infof("audit: API key %s (%s) revoked; %d cached verification(s) dropped", revoked.apiKeyId(),
                revoked.prefix(), dropped);
    }
}
