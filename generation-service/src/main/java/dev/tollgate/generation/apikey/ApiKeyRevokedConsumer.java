package dev.tollgate.generation.apikey;

import dev.tollgate.common.event.ApiKeyRevoked;
import dev.tollgate.common.event.EventCodec;
import dev.tollgate.common.event.EventType;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.reactive.messaging.Incoming;
import org.jboss.logging.Logger;

/**
 * {@code apikey.revoked}: the key is dropped from this replica's memory at once. Every replica reads every
 * revocation (a consumer group of its own), so none goes on trusting the key.
 */
@ApplicationScoped
public class ApiKeyRevokedConsumer {

    private static final Logger LOG = Logger.getLogger(ApiKeyRevokedConsumer.class);

    private final VerifiedKeys keys;
    private final EventCodec codec;

    public ApiKeyRevokedConsumer(VerifiedKeys keys, EventCodec codec) {
        this.keys = keys;
        this.codec = codec;
    }

    @Incoming("apikey-revoked")
    public void revoked(String payload) {
        ApiKeyRevoked revoked = codec.decode(payload, EventType.APIKEY_REVOKED);
        int dropped = keys.evict(revoked.apiKeyId());
        LOG.infof("audit: API key %s (%s) revoked; %d cached verification(s) dropped", revoked.apiKeyId(),
                revoked.prefix(), dropped);
    }
}
