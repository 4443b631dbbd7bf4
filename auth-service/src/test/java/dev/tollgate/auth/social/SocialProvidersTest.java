package dev.tollgate.auth.social;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.smallrye.config.EnvConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A provider without PKCE, or that allows several code flows at once, stops the start; a safe one does not. */
class SocialProvidersTest {

    @Test
    void aProviderWithoutPkceOrWithParallelFlowsIsNamed() {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withDefaultValues(Map.of(
                "quarkus.oidc.tenant-enabled", "false",
                "quarkus.oidc.google.provider", "google",
                "quarkus.oidc.google.authentication.pkce-required", "true",
                "quarkus.oidc.google.authentication.allow-multiple-code-flows", "false",
                "quarkus.oidc.corp.auth-server-url", "https://idp.example.com/realms/corp",
                "quarkus.oidc.corp.authentication.allow-multiple-code-flows", "false",
                "quarkus.oidc.github.client-id", "abc",
                "quarkus.oidc.github.authentication.pkce-required", "true")).build();

        assertEquals(List.of("quarkus.oidc.corp.authentication.pkce-required must be true",
                "quarkus.oidc.github.authentication.allow-multiple-code-flows must be false"),
                SocialProviders.problems(config));
    }

    @Test
    void aProviderConfiguredInTheEnvironmentAloneIsCheckedToo() {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withSources(new EnvConfigSource(Map.of(
                "QUARKUS_OIDC_GITLAB_AUTH_SERVER_URL", "https://gitlab.com",
                "QUARKUS_OIDC_GITLAB_AUTHENTICATION_ALLOW_MULTIPLE_CODE_FLOWS", "false",
                "QUARKUS_OIDC_CLIENT_AUTH_SERVER_URL", "https://idp.example.com",
                "QUARKUS_OIDC_MY_IDP_AUTH_SERVER_URL", "https://idp.example.com/realms/mine"), 300)).build();
        assertEquals(List.of("the provider of QUARKUS_OIDC_MY_IDP_* must be named in a properties file "
                + "(quarkus.oidc.<name>.auth-server-url) for its settings to be checked",
                "quarkus.oidc.gitlab.authentication.pkce-required must be true"), SocialProviders.problems(config));
    }

    @Test
    void noProviderIsNoProblem() {
        SmallRyeConfig config = new SmallRyeConfigBuilder().withDefaultValues(Map.of("quarkus.oidc.tenant-enabled",
                "false")).build();
        assertEquals(List.of(), SocialProviders.problems(config));
    }
}
