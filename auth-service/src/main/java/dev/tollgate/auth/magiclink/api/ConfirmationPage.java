package dev.tollgate.auth.magiclink.api;

/** The small pages a browser sees around a sign-in link. Tokens are embedded only once checked well-formed. */
final class ConfirmationPage {

    private static final String LAYOUT = """
            <!doctype html>
            <html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
            <title>Tollgate sign-in</title>
            <style>body{font-family:system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem}
            button{font-size:1rem;padding:.6rem 1.2rem}</style></head>
            <body>%s</body></html>
            """;

    private ConfirmationPage() {
    }

    static String form(String token) {
        return LAYOUT.formatted("""
                <h1>Sign in to Tollgate</h1>
                <p>Confirm to finish signing in on this device.</p>
                <form method="post" action="/auth/magic-link/confirm">
                <input type="hidden" name="token" value="%s">
                <button type="submit">Sign in</button>
                </form>
                """.formatted(token));
    }

    static String malformed() {
        return LAYOUT.formatted("<h1>This sign-in link is incomplete</h1>"
                + "<p>Open the whole link from the mail, or request a new one.</p>");
    }

    static String signedIn() {
        return LAYOUT.formatted("<h1>You are signed in</h1><p>You can close this tab.</p>");
    }
}
