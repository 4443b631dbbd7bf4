package dev.tollgate.auth.signing;

import dev.tollgate.auth.config.AuthConfig;
import dev.tollgate.auth.signing.repository.SigningKeyRepository;
import dev.tollgate.common.event.SigningKeyRevoked;
import dev.tollgate.common.outbox.Outbox;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.hibernate.reactive.panache.common.WithTransaction;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;
import org.jose4j.jwk.JsonWebKey;
import org.jose4j.jwk.JsonWebKeySet;
import org.jose4j.jwk.PublicJsonWebKey;
import org.jose4j.lang.JoseException;

/**
 * The key that signs access tokens now, and the set verifiers need. The first signature creates a key; a key
 * older than the rotation period is retired and replaced, and stays published until every token it signed
 * has expired. Replicas agree through a database lock; each keeps the active key in memory for a minute.
 */
@ApplicationScoped
public class SigningKeys {

    private static final Logger LOG = Logger.getLogger(SigningKeys.class);
    private static final Duration CACHE = Duration.ofMinutes(1);
    /** Clock skew allowed to verifiers: a retired key stays published this much longer than its last token. */
    private static final Duration SKEW = Duration.ofMinutes(5);

    private final SigningKeyRepository repository;
    private final KeyVault vault;
    private final AuthConfig config;
    /** At most one reload of the published keys per this interval, however many unknown key ids arrive. */
    private static final Duration RELOAD_THROTTLE = Duration.ofSeconds(1);

    private volatile Cached cached;
    private final Map<String, PublicKey> verificationKeys = new ConcurrentHashMap<>();
    private volatile Instant lastReload = Instant.EPOCH;

    private final Outbox outbox;

    public SigningKeys(SigningKeyRepository repository, KeyVault vault, AuthConfig config, Outbox outbox) {
        this.outbox = outbox;
        this.repository = repository;
        this.vault = vault;
        this.config = config;
    }

    /** A key ready to sign: its id for the {@code kid} header and the private key. */
    public record ActiveKey(String kid, PrivateKey privateKey) {
    }

    private record Cached(ActiveKey key, Instant until) {
    }

    public Uni<ActiveKey> active() {
        Cached current = cached;
        if (current != null && Instant.now().isBefore(current.until())) {
            return Uni.createFrom().item(current.key());
        }
        return loadOrRotate().map(loaded -> {
            // a key made just now commits with the caller's transaction, or not at all: cache it only once read
            if (!loaded.created()) {
                cached = new Cached(loaded.key(), Instant.now().plus(CACHE));
            }
            return loaded.key();
        });
    }

    private record Loaded(ActiveKey key, boolean created) {
    }

    /** The public key published under {@code kid}, or null when no published key has that id. */
    public Uni<PublicKey> verificationKey(String kid) {
        PublicKey known = verificationKeys.get(kid);
        Instant now = Instant.now();
        if (known != null || lastReload.plus(RELOAD_THROTTLE).isAfter(now)) {
            return Uni.createFrom().item(known);
        }
        // the throttle starts once a reload has finished: requests that arrive while the first one reads (a cold
        // start, a rotation) read too, instead of being refused a key that is published
        return Panache.withSession(() -> repository.listPublished(now)).map(keys -> {
            Map<String, PublicKey> published = new HashMap<>();
            keys.forEach(key -> published.put(key.kid, ((PublicJsonWebKey) parse(key)).getPublicKey()));
            verificationKeys.putAll(published);
            verificationKeys.keySet().retainAll(published.keySet());
            lastReload = Instant.now();
            return published.get(kid);
        });
    }

    /** The JWKS document: every published public key. */
    @WithSession
    public Uni<String> jwks() {
        return repository.listPublished(Instant.now()).map(keys -> {
            try {
                List<JsonWebKey> jwks = keys.stream().map(key -> parse(key)).toList();
                return new JsonWebKeySet(jwks).toJson(JsonWebKey.OutputControlLevel.PUBLIC_ONLY);
            } catch (RuntimeException e) {
                throw new IllegalStateException("the published signing keys cannot be listed", e);
            }
        });
    }

    /** Retires the signing key now and starts signing with a new one (also done by age, on its own). */
    @WithTransaction
    public Uni<String> rotate() {
        return repository.lockRotation()
                .chain(repository::findSigning)
                .chain(old -> create(old, "rotation requested"))
                .invoke(key -> {
                    cached = null;
                    lastReload = Instant.EPOCH;
                })
                .map(key -> key.kid);
    }

    /**
     * Revokes a key at once (an operator's decision: a key that may have leaked): it is no longer published, a
     * signing key is replaced by a new one, and {@code signingkey.revoked} tells every service to refuse the tokens
     * it signed. Answers the key that signs from now on; null when no key has that id.
     */
    @WithTransaction
    public Uni<String> revoke(String kid) {
        return repository.lockRotation()
                .chain(() -> repository.findById(kid))
                .chain(key -> {
                    if (key == null) {
                        return Uni.createFrom().<String> nullItem();
                    }
                    Instant now = Instant.now();
                    boolean signing = key.retiredAt == null;
                    Uni<String> next = signing ? create(key, "key " + kid + " revoked").map(made -> made.kid)
                            : repository.findSigning().map(current -> current == null ? null : current.kid);
                    return next.invoke(() -> {
                        key.retiredAt = key.retiredAt == null ? now : key.retiredAt;
                        key.publishedUntil = now;
                    }).call(() -> outbox.append(SigningKeyRevoked.of(kid)));
                })
                .invoke(next -> {
                    if (next != null) {
                        cached = null;
                        verificationKeys.remove(kid);
                        lastReload = Instant.EPOCH;
                        LOG.warnf("audit: signing key %s revoked; tokens it signed are refused, %s signs now", kid, next);
                    }
                });
    }

    /** Another replica revoked a key: stop signing and verifying with it here too, at once. */
    void revokedElsewhere(@Observes SigningKeyRevoked revoked) {
        Cached current = cached;
        if (current != null && current.key().kid().equals(revoked.kid())) {
            cached = null;
        }
        verificationKeys.remove(revoked.kid());
    }

    private Uni<Loaded> loadOrRotate() {
        return Panache.withTransaction(() -> repository.lockRotation()
                .chain(repository::findSigning)
                .chain(key -> {
                    if (key == null) {
                        return create(null, "no signing key yet").map(made -> new Loaded(open(made), true));
                    }
                    if (key.createdAt.plus(config.signingKey().rotation()).isBefore(Instant.now())) {
                        return create(key, "older than " + config.signingKey().rotation())
                                .map(made -> new Loaded(open(made), true));
                    }
                    return Uni.createFrom().item(new Loaded(open(key), false));
                }));
    }

    private ActiveKey open(SigningKey key) {
        return new ActiveKey(key.kid, vault.open(key.privateKey, key.kid));
    }

    private Uni<SigningKey> create(SigningKey old, String reason) {
        Instant now = Instant.now();
        if (old != null) {
            old.retiredAt = now;
            old.publishedUntil = now.plus(config.accessToken().ttl()).plus(CACHE).plus(SKEW);
        }
        KeyPair pair = vault.generate();
        SigningKey key = new SigningKey();
        key.kid = UUID.randomUUID().toString();
        key.algorithm = KeyVault.ALGORITHM;
        key.publicJwk = vault.publicJwk(pair, key.kid);
        key.privateKey = vault.seal(pair.getPrivate());
        key.createdAt = now;
        LOG.infof("signing key %s created (%s)%s", key.kid, reason,
                old == null ? "" : "; key " + old.kid + " retired, published until " + old.publishedUntil);
        return repository.persist(key);
    }

    private static JsonWebKey parse(SigningKey key) {
        try {
            return JsonWebKey.Factory.newJwk(key.publicJwk);
        } catch (JoseException e) {
            throw new IllegalStateException("signing key " + key.kid + " has an unreadable public JWK", e);
        }
    }
}
