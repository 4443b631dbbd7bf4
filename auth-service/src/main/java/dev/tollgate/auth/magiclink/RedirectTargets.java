package dev.tollgate.auth.magiclink;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.List;
import java.util.Locale;

/**
 * Where a sign-in may send the browser: an absolute http(s) URL whose scheme, host and port equal those of an
 * allowed entry exactly, and whose path lies under the entry's path. Compared as parsed URLs, never as text, so
 * that {@code http://localhost.evil.example} is not "under" {@code http://localhost} and
 * {@code https://app.example.com@evil.example/} is not app.example.com.
 */
public final class RedirectTargets {

    public enum Verdict {
        ALLOWED,
        NOT_ALLOWED,
        UNPARSABLE
    }

    private RedirectTargets() {
    }

    public static Verdict judge(String redirect, List<String> allowed) {
        URI target = parse(redirect);
        if (target == null) {
            return Verdict.UNPARSABLE;
        }
        boolean under = allowed.stream().map(RedirectTargets::parse)
                .anyMatch(entry -> entry != null && sameOrigin(entry, target) && under(entry, target));
        return under ? Verdict.ALLOWED : Verdict.NOT_ALLOWED;
    }

    /** An absolute http(s) URL with a host and no user info, or null. */
    static URI parse(String text) {
        if (text == null) {
            return null;
        }
        try {
            URI uri = new URI(text.trim());
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null || uri.getRawUserInfo() != null) {
                return null;
            }
            return uri.normalize();
        } catch (URISyntaxException e) {
            return null;
        }
    }

    /** Whether two URLs (an {@code Origin} header, a configured URL) have one scheme, host and port. */
    public static boolean sameOrigin(String a, String b) {
        URI first = parse(a);
        URI second = parse(b);
        return first != null && second != null && sameOrigin(first, second);
    }

    private static boolean sameOrigin(URI a, URI b) {
        return a.getScheme().equalsIgnoreCase(b.getScheme()) && a.getHost().equalsIgnoreCase(b.getHost())
                && port(a) == port(b);
    }

    private static boolean under(URI entry, URI target) {
        // decoded, as a browser resolves it: %2e%2e is a dot segment too
        String base = entry.getPath() == null || entry.getPath().isEmpty() ? "/" : entry.getPath();
        String path = target.getPath() == null || target.getPath().isEmpty() ? "/" : target.getPath();
        if (path.contains("/../") || path.endsWith("/..") || path.contains("/./") || path.contains("\\")) {
            return false;
        }
        return path.equals(base) || path.startsWith(base.endsWith("/") ? base : base + "/");
    }

    private static int port(URI uri) {
        if (uri.getPort() >= 0) {
            return uri.getPort();
        }
        return uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
    }
}
