package dev.tollgate.auth.apikey;

import dev.tollgate.auth.security.OpaqueTokens;
import dev.tollgate.common.security.ApiKeyShape;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;

/**
 * New API keys and their hashes, in the shape every service checks ({@link ApiKeyShape}: {@code
 * tg_live_<prefix>_<secret>}). The prefix (12 lower-case letters and digits) is public and finds the key; the
 * secret is 256 random bits. Only the hash of the whole key is stored.
 */
public final class ApiKeySecrets {

    public static final String MARKER = ApiKeyShape.MARKER;
    private static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";
    private static final SecureRandom RANDOM = new SecureRandom();

    private ApiKeySecrets() {
    }

    public static String newPrefix() {
        StringBuilder prefix = new StringBuilder(12);
        for (int i = 0; i < 12; i++) {
            prefix.append(ALPHABET.charAt(RANDOM.nextInt(ALPHABET.length())));
        }
        return prefix.toString();
    }

    public static String compose(String prefix) {
        return MARKER + prefix + "_" + OpaqueTokens.generate();
    }

    /** The prefix of a well-formed key, or null for anything else. */
    public static String prefixOf(String presented) {
        return ApiKeyShape.prefixOf(presented);
    }

    public static String hash(String key) {
        return OpaqueTokens.hash(key);
    }

    /** Compares hashes in constant time. */
    public static boolean matches(String presented, String storedHash) {
        return MessageDigest.isEqual(hash(presented).getBytes(StandardCharsets.US_ASCII),
                storedHash.getBytes(StandardCharsets.US_ASCII));
    }
}
