package dev.tollgate.auth.social;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;

/**
 * Refuses to start with a social sign-in provider (a quarkus-oidc tenant {@code quarkus.oidc.<name>.*}) that does
 * not require PKCE or that lets several code flows run at once: without them an authorization code caught on the
 * way back could be redeemed by someone else, and a sign-in could be started by another site. quarkus-oidc checks
 * the {@code state} of every code flow itself.
 */
@ApplicationScoped
public class SocialProviders {

    private static final Pattern TENANT_KEY = Pattern.compile(
            "quarkus\\.oidc\\.\"?([A-Za-z0-9_-]+)\"?\\.(auth-server-url|provider|client-id)");
    /** The same keys set in the environment alone ({@code QUARKUS_OIDC_GITLAB_AUTH_SERVER_URL}: provider gitlab). */
    private static final Pattern TENANT_ENV = Pattern
            .compile("QUARKUS_OIDC_([A-Z0-9_]+?)_(AUTH_SERVER_URL|PROVIDER|CLIENT_ID)");

    void check(@Observes StartupEvent start) {
        List<String> problems = problems(ConfigProvider.getConfig());
        if (!problems.isEmpty()) {
            throw new IllegalStateException("social sign-in is configured unsafely: " + String.join("; ", problems));
        }
    }

    /** What is wrong with the configured providers, one sentence each naming the key to set. */
    static List<String> problems(Config config) {
        TreeSet<String> providers = new TreeSet<>();
        TreeSet<String> fromEnvironment = new TreeSet<>();
        for (String name : config.getPropertyNames()) {
            Matcher matcher = TENANT_KEY.matcher(name);
            Matcher env = TENANT_ENV.matcher(name);
            if (matcher.matches()) {
                providers.add(matcher.group(1));
            } else if (env.matches() && !env.group(1).equals("CLIENT") && !env.group(1).startsWith("CLIENT_")) {
                fromEnvironment.add(env.group(1)); // CLIENT: quarkus.oidc-client's own keys
            }
        }
        List<String> problems = new ArrayList<>();
        for (String name : fromEnvironment) {
            boolean named = providers.stream().anyMatch(provider -> envForm(provider).equals(name));
            if (named) {
                continue;
            }
            if (name.contains("_")) {
                // QUARKUS_OIDC_MY_IDP_... may be my-idp, my_idp or my.idp: the environment alone cannot say
                problems.add("the provider of QUARKUS_OIDC_" + name + "_* must be named in a properties file "
                        + "(quarkus.oidc.<name>.auth-server-url) for its settings to be checked");
            } else {
                providers.add(name.toLowerCase(Locale.ROOT));
            }
        }
        for (String provider : providers) {
            String prefix = "quarkus.oidc." + provider + ".authentication.";
            if (!flag(config, prefix + "pkce-required").orElse(false)) {
                problems.add(prefix + "pkce-required must be true");
            }
            if (flag(config, prefix + "allow-multiple-code-flows").orElse(true)) {
                problems.add(prefix + "allow-multiple-code-flows must be false");
            }
        }
        return problems;
    }

    private static String envForm(String provider) {
        return provider.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    private static Optional<Boolean> flag(Config config, String key) {
        return config.getOptionalValue(key, String.class).map(value -> Boolean.parseBoolean(value.trim()));
    }
}
