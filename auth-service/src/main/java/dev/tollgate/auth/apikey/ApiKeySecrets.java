package dev.tollgate.auth.apikey;

import dev.tollgate.auth.security.OpaqueTokens;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shape of API keys: {@code tg_live_<prefix>_<secret>}. The prefix (12 lower-case letters and digits) is
 * public and finds the key; the secret is 256 random bits. Only the hash of the whole key is stored.
 */
public final class ApiKeySecrets {

    public static final String MARKER = "tg_live_";
    private static final Pattern SHAPE = Pattern.compile("tg_live_([a-z0-9]{12})_([A-Za-z0-9_-]{43})");
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
        if (presented == null) {
            return null;
        }
        Matcher matcher = SHAPE.matcher(presented);
        return matcher.matches() ? matcher.group(1) : null;
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
