package dev.tollgate.common.security;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The shape of Tollgate's API keys, as auth-service issues them and every service checks them before asking it:
 * {@code tg_live_<prefix>_<secret>}, the prefix 12 lower-case letters and digits (public: it finds the key), the
 * secret 43 characters of base64url (256 random bits). A credential that starts like a key but has another shape
 * was never issued, and is refused without a question to auth-service.
 */
public final class ApiKeyShape {

    /** How every key starts: a bearer credential that starts so is taken for an API key. */
    public static final String MARKER = "tg_live_";
    private static final Pattern SHAPE = Pattern.compile("tg_live_([a-z0-9]{12})_([A-Za-z0-9_-]{43})");

    private ApiKeyShape() {
    }

    /** Whether {@code presented} has the shape of an issued key. */
    public static boolean wellFormed(String presented) {
        return prefixOf(presented) != null;
    }

    /** The prefix of a well-formed key, or null for anything else. */
    public static String prefixOf(String presented) {
        if (presented == null || presented.length() != MARKER.length() + 12 + 1 + 43) {
            return null;
        }
        Matcher matcher = SHAPE.matcher(presented);
        return matcher.matches() ? matcher.group(1) : null;
    }
}
