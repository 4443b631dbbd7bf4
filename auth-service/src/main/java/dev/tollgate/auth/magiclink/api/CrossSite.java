package dev.tollgate.auth.magiclink.api;

import dev.tollgate.auth.magiclink.RedirectTargets;
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
        return RedirectTargets.sameOrigin(origin, publicUrl);
    }
}
