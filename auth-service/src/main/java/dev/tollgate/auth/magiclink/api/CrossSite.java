package dev.tollgate.auth.magiclink.api;

import java.net.URI;
import java.util.Locale;

/**
 * Whether a form post comes from this site's own page, by what browsers say of it: {@code Sec-Fetch-Site} when
 * they send it (same-origin, or none for a user's own action), otherwise {@code Origin}, which must be the public
 * URL's origin. A client that sends neither (curl, a native app) is not a browser another site can drive.
 */
final class CrossSite {

    private CrossSite() {
    }

    static boolean sameSite(String fetchSite, String origin, String publicUrl) {
        if (fetchSite != null) {
            String site = fetchSite.trim().toLowerCase(Locale.ROOT);
            return site.equals("same-origin") || site.equals("none");
        }
        if (origin == null || origin.isBlank()) {
            return true;
        }
        return origin(origin).equals(origin(publicUrl));
    }

    private static String origin(String url) {
        try {
            URI uri = URI.create(url.trim());
            if (uri.getScheme() == null || uri.getHost() == null) {
                return "invalid:" + url;
            }
            int port = uri.getPort() >= 0 ? uri.getPort() : uri.getScheme().equalsIgnoreCase("https") ? 443 : 80;
            return uri.getScheme().toLowerCase(Locale.ROOT) + "://" + uri.getHost().toLowerCase(Locale.ROOT) + ":" + port;
        } catch (IllegalArgumentException e) {
            return "invalid:" + url;
        }
    }
}
