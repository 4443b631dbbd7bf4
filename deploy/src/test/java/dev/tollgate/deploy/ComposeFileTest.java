package dev.tollgate.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.tollgate.deploy.ComposeFile.Service;
import dev.tollgate.deploy.ServiceConfiguration.Expression;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Checks {@code docker-compose.yml}, and the gateway and Prometheus configuration it mounts, against the services'
 * own sources: their properties, their {@code @ConfigMapping} interfaces, their poms, devstack's local gateway and
 * local run. No Docker engine runs the file in the build, so this is what notices when a service gains a setting
 * that prod requires, changes its port or path, or when the file gives a service a variable nothing reads. Each
 * test collects every problem it finds and names the service, the setting and what to change.
 */
class ComposeFileTest {

    private static final Path ROOT = Path.of("..").toAbsolutePath().normalize();
    private static final ComposeFile COMPOSE = ComposeFile.read(ROOT.resolve("docker-compose.yml"));
    private static final SuiteSources SOURCES = new SuiteSources(ROOT);
    private static final Map<String, ServiceConfiguration> SERVICES = services();

    /** A stream may pause while a provider is retried and the route falls back to the next (60 s each). */
    private static final Duration STREAM_PAUSE = Duration.ofMinutes(5);
    /** nginx.conf's location that answers internal endpoints with 404, before every route. */
    static final String INTERNAL_LOCATION = "~* ^/[^/;]+(;[^/]*)?/internal(;[^/]*)?(/|$)";
    /** Internal endpoints as a client might spell them, and paths that are not internal. */
    static final List<String> INTERNAL_SPELLINGS = List.of("/auth/internal/users/1/export", "/auth//internal/x",
            "/auth/x/../internal/x", "/auth/%69nternal/x", "/auth/internal", "/auth/internal;x/api-keys/verify",
            "/auth;v=1/internal/x", "/auth/Internal/x", "/usage/INTERNAL/users/1/export", "/auth/internal%3Bx/verify");
    static final List<String> NOT_INTERNAL = List.of("/auth/internals", "/auth/api-keys/internal", "/internal/usage");
    private static final Pattern SECRET_NAME = Pattern.compile(".*(SECRET|PASSWORD|API_KEY).*");
    private static final Pattern READINESS_PORT = Pattern.compile("(?:/dev/tcp/[^/\\s]+/|://[^/:\\s]+:)(\\d+)");
    private static final Pattern URL = Pattern.compile("://([a-z0-9-]+):(\\d+)");
    private static final Pattern LOCALHOST_URL = Pattern.compile("https?://(?:localhost|127\\.0\\.0\\.1):(\\d+)");

    @Test
    void everyServiceIsBuiltFromItsOwnDockerfiles() {
        List<String> problems = new ArrayList<>();
        for (ServiceConfiguration config : SERVICES.values()) {
            Optional<Service> service = COMPOSE.service(config.module());
            if (service.isEmpty()) {
                problems.add(config.module() + " is not a service of docker-compose.yml");
                continue;
            }
            String context = service.get().buildContext().orElse("");
            String dockerfile = service.get().dockerfile().orElse("");
            if (!ROOT.resolve(context).normalize().equals(ROOT.resolve(config.module()))) {
                problems.add(config.module() + ": build context is '" + context + "', not ./" + config.module());
                continue;
            }
            Path chosen = ROOT.resolve(context).resolve(ComposeFile.withDefaults(dockerfile)).normalize();
            if (!chosen.getFileName().toString().equals("Dockerfile.jvm")
                    || ComposeFile.variablesOf(dockerfile).isEmpty()) {
                problems.add(config.module() + ": dockerfile '" + dockerfile + "' should default to Dockerfile.jvm "
                        + "through a variable, e.g. src/main/docker/${TOLLGATE_DOCKERFILE:-Dockerfile.jvm}");
            }
            for (String variant : List.of("Dockerfile.jvm", "Dockerfile.native")) {
                problems.addAll(dockerfileProblems(config, chosen.resolveSibling(variant)));
            }
        }
        assertNoProblems(problems);
    }

    private static List<String> dockerfileProblems(ServiceConfiguration config, Path file) {
        String where = ROOT.relativize(file).toString();
        if (!Files.isRegularFile(file)) {
            return List.of(where + " does not exist");
        }
        List<String> problems = new ArrayList<>();
        String text = SuiteSources.read(file);
        boolean jvm = file.getFileName().toString().endsWith(".jvm");
        if (!text.lines().filter(line -> line.startsWith("#")).anyMatch(line -> line.contains("./mvnw package"))) {
            problems.add(where + ": its header does not say that the image is built from `./mvnw package` output");
        }
        if (!Pattern.compile("(?m)^EXPOSE\\b.*\\b" + config.httpPort() + "\\b").matcher(text).find()) {
            problems.add(where + ": does not EXPOSE " + config.httpPort() + " (quarkus.http.port)");
        }
        Matcher user = Pattern.compile("(?m)^USER\\s+(\\S+)").matcher(text);
        if (!user.find() || user.group(1).equals("root") || user.group(1).equals("0")) {
            problems.add(where + ": does not switch to a non-root USER");
        }
        if (!text.contains("-Dquarkus.http.host=0.0.0.0")) {
            problems.add(where + ": does not listen on every interface (-Dquarkus.http.host=0.0.0.0)");
        }
        String base = jvm ? "registry.access.redhat.com/ubi9/openjdk-" + SOURCES.javaRelease() + "-runtime"
                : "quay.io/quarkus/ubi9-quarkus-micro-image";
        if (!Pattern.compile("(?m)^FROM\\s+" + Pattern.quote(base) + "[:@]").matcher(text).find()) {
            problems.add(where + ": is not built FROM " + base);
        }
        List<String> copies = jvm ? List.of("target/quarkus-app/lib/", "target/quarkus-app/*.jar",
                "target/quarkus-app/app/", "target/quarkus-app/quarkus/") : List.of("target/*-runner");
        for (String copy : copies) {
            if (!Pattern.compile("(?m)^COPY\\s.*" + Pattern.quote(copy) + "\\s").matcher(text).find()) {
                problems.add(where + ": does not COPY " + copy);
            }
        }
        return problems;
    }

    @Test
    void everyServiceListensOnItsPortAndIsCheckedForReadiness() {
        List<String> problems = new ArrayList<>();
        for (ServiceConfiguration config : SERVICES.values()) {
            Service service = service(config.module());
            int port = config.httpPort();
            if (!service.containerPorts().contains(port)) {
                problems.add(config.module() + ": neither exposes nor publishes its port " + port
                        + " (quarkus.http.port); it names " + service.containerPorts());
            }
            String check = service.healthcheck().orElse("");
            Matcher ports = READINESS_PORT.matcher(check);
            List<Integer> checked = new ArrayList<>();
            while (ports.find()) {
                checked.add(Integer.parseInt(ports.group(1)));
            }
            if (!check.contains("/q/health/ready") || checked.isEmpty() || checked.stream().anyMatch(p -> p != port)) {
                problems.add(config.module() + ": its health check should ask /q/health/ready on port " + port
                        + ", it runs: " + (check.isEmpty() ? "nothing" : check));
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void everyVariableGivenToAServiceIsOneItReads() {
        List<String> problems = new ArrayList<>();
        for (ServiceConfiguration config : SERVICES.values()) {
            for (String variable : service(config.module()).environment().keySet()) {
                if (!config.reads(variable)) {
                    problems.add(config.module() + " is given " + variable + ", which it does not read: no property"
                            + " of its application.properties or common's, no ${" + variable + "} in them, no"
                            + " @ConfigMapping property and no extension of its pom reads that name");
                }
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void everySettingTheProdProfileNeedsIsGiven() {
        List<String> problems = new ArrayList<>();
        for (ServiceConfiguration config : SERVICES.values()) {
            config.unmet(given(service(config.module())))
                    .forEach(unmet -> problems.add(config.module() + ": " + unmet));
        }
        assertNoProblems(problems);
    }

    @Test
    void servicesReachEachOtherByTheirComposeNames() {
        Map<Integer, String> byPort = new LinkedHashMap<>();
        SERVICES.values().forEach(config -> byPort.put(config.httpPort(), config.module()));
        List<String> problems = new ArrayList<>();
        for (ServiceConfiguration config : SERVICES.values()) {
            Map<String, String> environment = service(config.module()).environment();
            config.prodProperties().forEach((key, value) -> problems.addAll(
                    localhostProblems(config.module(), key, value, environment, byPort)));
            environment.forEach((variable, value) -> {
                Matcher url = URL.matcher(ComposeFile.withDefaults(value));
                while (url.find()) {
                    ServiceConfiguration target = SERVICES.get(url.group(1));
                    if (target != null && target.httpPort() != Integer.parseInt(url.group(2))) {
                        problems.add(config.module() + ": " + variable + " reaches " + url.group(1) + " on port "
                                + url.group(2) + ", but it listens on " + target.httpPort());
                    }
                }
            });
        }
        problems.addAll(issuerProblems());
        problems.addAll(clientSecretProblems());
        assertNoProblems(problems);
    }

    /** A property defaulting to a suite service on localhost must be pointed at that service's compose name. */
    private static List<String> localhostProblems(String module, String key, String value,
            Map<String, String> environment, Map<Integer, String> byPort) {
        List<String> problems = new ArrayList<>();
        Matcher localhost = LOCALHOST_URL.matcher(value);
        while (localhost.find()) {
            String owner = byPort.get(Integer.parseInt(localhost.group(1)));
            if (owner == null) {
                continue;
            }
            String expected = "://" + owner + ":" + localhost.group(1);
            List<String> overrides = new ArrayList<>(List.of(ServiceConfiguration.envName(key)));
            ServiceConfiguration.expressions(value).stream()
                    .filter(e -> e.fallback() != null && e.fallback().contains(localhost.group()))
                    .map(Expression::name).forEach(overrides::add);
            Optional<String> override = overrides.stream().filter(environment::containsKey).findFirst();
            if (override.isEmpty()) {
                problems.add(module + ": " + key + " defaults to " + localhost.group() + " (" + owner + " in the local"
                        + " run), which in a container is the container itself; set "
                        + overrides.get(overrides.size() - 1) + " to http" + expected);
            } else if (!ComposeFile.withDefaults(environment.get(override.get())).contains(expected)) {
                problems.add(module + ": " + override.get() + " should reach " + owner + " as http" + expected
                        + ", it is " + environment.get(override.get()));
            }
        }
        return problems;
    }

    /** Every service trusts one issuer, whose JWKS is fetched from it: the compose service behind /.well-known. */
    private static List<String> issuerProblems() {
        ServiceConfiguration issuer = issuerService();
        String expected = "http://" + issuer.module() + ":" + issuer.httpPort();
        String variable = ServiceConfiguration.envName("tollgate.tokens.issuer");
        List<String> problems = new ArrayList<>();
        for (ServiceConfiguration config : SERVICES.values()) {
            String value = service(config.module()).environment().get(variable);
            if (value == null || !ComposeFile.withDefaults(value).equals(expected)) {
                problems.add(config.module() + ": " + variable + (value == null ? " is not given" : " is " + value)
                        + "; every service needs the same issuer, " + expected
                        + " (the service behind /.well-known, where its JWKS is)");
            }
        }
        return problems;
    }

    /** A service with a client-credentials client must get its secret from the variable the issuer's client uses. */
    private static List<String> clientSecretProblems() {
        ServiceConfiguration issuer = issuerService();
        Map<String, String> issuerEnvironment = service(issuer.module()).environment();
        String clients = issuer.mappedProperties().stream().map(ServiceConfiguration.MappedProperty::name)
                .filter(name -> name.endsWith(".clients.<name>.secret")).findFirst()
                .map(name -> name.substring(0, name.length() - ".<name>.secret".length()))
                .orElseThrow(() -> new AssertionError(issuer.module() + " maps no <prefix>.clients.*.secret"));
        List<String> problems = new ArrayList<>();
        for (ServiceConfiguration config : SERVICES.values()) {
            String clientId = config.prodProperties().get("quarkus.oidc-client.client-id");
            if (clientId == null) {
                continue;
            }
            Map<String, String> environment = service(config.module()).environment();
            Set<String> secretVariables = new LinkedHashSet<>();
            String direct = environment.get("QUARKUS_OIDC_CLIENT_CREDENTIALS_SECRET");
            if (direct != null) {
                secretVariables.addAll(ComposeFile.variablesOf(direct));
            } else {
                ServiceConfiguration.expressions(config.prodProperties().getOrDefault(
                        "quarkus.oidc-client.credentials.secret", "")).stream().map(Expression::name)
                        .filter(environment::containsKey)
                        .forEach(name -> secretVariables.addAll(ComposeFile.variablesOf(environment.get(name))));
            }
            String issuerVariable = ServiceConfiguration.envName(clients + "." + clientId + ".secret");
            String issuerSide = issuerEnvironment.get(issuerVariable);
            if (secretVariables.isEmpty()) {
                problems.add(config.module() + " is client '" + clientId + "' at " + issuer.module()
                        + " but is given no client secret from the environment");
            } else if (issuerSide == null || !ComposeFile.variablesOf(issuerSide).equals(secretVariables)) {
                problems.add(issuer.module() + " should be given " + issuerVariable + " from " + secretVariables
                        + ", the secret " + config.module() + " presents as client '" + clientId + "'; it is "
                        + issuerSide);
            }
        }
        return problems;
    }

    @Test
    void secretsComeFromTheEnvironmentAndEnvExampleListsEveryVariable() {
        List<String> problems = new ArrayList<>();
        for (Service service : COMPOSE.services()) {
            service.environment().forEach((variable, value) -> {
                List<ComposeFile.Interpolation> interpolations = ComposeFile.interpolations(value);
                boolean fromEnvironment = interpolations.size() == 1 && interpolations.get(0).start() == 0
                        && interpolations.get(0).end() == value.length()
                        && (interpolations.get(0).required() || ComposeFile.withDefaults(value).isEmpty());
                if (SECRET_NAME.matcher(variable).matches() && !fromEnvironment) {
                    problems.add(service.name() + ": " + variable + " must come from the environment, required"
                            + " (${VAR:?message}) or empty by default, not '" + value + "'");
                }
            });
        }
        Path example = ROOT.resolve(".env.example");
        Set<String> listed = Files.isRegularFile(example) ? SuiteSources.read(example).lines()
                .map(line -> line.split("=", 2)[0].trim()).filter(name -> name.matches("[A-Z_][A-Z0-9_]*"))
                .collect(Collectors.toSet()) : Set.of();
        Set<String> used = COMPOSE.variables();
        used.stream().filter(name -> !listed.contains(name))
                .forEach(name -> problems.add("docker-compose.yml reads " + name + ", which .env.example does not list"));
        listed.stream().filter(name -> !used.contains(name)).sorted()
                .forEach(name -> problems.add(".env.example lists " + name + ", which docker-compose.yml does not read"));
        assertNoProblems(problems);
    }

    @Test
    void whatShowsTheTracesListensOnThisMachineOnly() {
        // the traces hold clients' addresses and tenants: Jaeger's UI, and Grafana with Jaeger as a data source
        List<String> problems = new ArrayList<>();
        for (String name : List.of("jaeger", "grafana")) {
            Service service = COMPOSE.service(name).orElse(null);
            if (service == null) {
                problems.add("no service " + name);
                continue;
            }
            if (service.node().path("ports").isEmpty()) {
                problems.add(name + " publishes no port");
            }
            service.node().path("ports").forEach(port -> {
                if (!port.isTextual() || !port.asText().startsWith("127.0.0.1:")) {
                    problems.add(name + " publishes " + port + " beyond this machine; write it 127.0.0.1:<port>:<port>");
                }
            });
        }
        assertNoProblems(problems);
    }

    @Test
    void containersAreCheckedRestartedAndStartedAfterWhatTheyNeed() {
        List<String> problems = new ArrayList<>();
        Set<String> names = COMPOSE.serviceNames();
        Set<String> mounted = new LinkedHashSet<>();
        for (Service service : COMPOSE.services()) {
            if (service.healthcheck().isEmpty()) {
                problems.add(service.name() + " has no health check");
            }
            if (service.restart().isEmpty() || service.restart().equals("no")) {
                problems.add(service.name() + " has no restart policy");
            }
            service.dependsOn().forEach((target, condition) -> {
                if (!names.contains(target)) {
                    problems.add(service.name() + " depends on " + target + ", which is not a service of the file");
                } else if (COMPOSE.service(target).flatMap(Service::healthcheck).isEmpty()) {
                    problems.add(service.name() + " depends on " + target + ", which has no health check");
                } else if (!condition.equals("service_healthy")) {
                    problems.add(service.name() + " waits for " + target + " with " + condition
                            + " instead of service_healthy");
                }
            });
            for (String needed : servicesNamedIn(service, names)) {
                if (!service.dependsOn().containsKey(needed)) {
                    problems.add(service.name() + " reaches " + needed + " but does not depend on it");
                }
            }
            for (ComposeFile.Mount mount : service.volumes()) {
                if (!mount.bind() && !mount.source().isEmpty()) {
                    mounted.add(mount.source());
                    if (!COMPOSE.declaredVolumes().contains(mount.source())) {
                        problems.add(service.name() + " mounts the volume " + mount.source()
                                + ", which is not declared");
                    }
                }
            }
        }
        COMPOSE.declaredVolumes().stream().filter(volume -> !mounted.contains(volume))
                .forEach(volume -> problems.add("the volume " + volume + " is declared but no service mounts it"));
        assertNoProblems(problems);
    }

    /** The other compose services a service's environment names as a host. */
    private static Set<String> servicesNamedIn(Service service, Set<String> names) {
        Set<String> named = new LinkedHashSet<>();
        for (String value : service.environment().values()) {
            for (String token : ComposeFile.withDefaults(value).split("[^A-Za-z0-9-]+")) {
                if (names.contains(token) && !token.equals(service.name())) {
                    named.add(token);
                }
            }
        }
        return named;
    }

    @Test
    void serversAreTheOnesTheServicesAreConfiguredFor() {
        List<String> problems = new ArrayList<>();
        for (ServiceConfiguration config : SERVICES.values()) {
            Map<String, String> environment = service(config.module()).environment();
            String module = config.module();
            for (String server : ComposeFile.withDefaults(environment.getOrDefault("KAFKA_BOOTSTRAP_SERVERS", ""))
                    .split(",")) {
                if (server.isBlank()) {
                    continue;
                }
                String host = server.split(":")[0];
                String advertised = COMPOSE.service(host).map(kafka -> kafka.environment()
                        .getOrDefault("KAFKA_ADVERTISED_LISTENERS", "")).orElse("");
                if (!advertised.contains("//" + server)) {
                    problems.add(module + ": Kafka bootstrap server " + server + " is not a listener that the compose "
                            + "service " + host + " advertises (" + advertised + ")");
                }
            }
            Matcher jdbc = Pattern.compile("jdbc:postgresql://([a-z0-9-]+):\\d+/(\\w+)")
                    .matcher(environment.getOrDefault("QUARKUS_DATASOURCE_JDBC_URL", ""));
            if (!jdbc.find()) {
                problems.add(module + ": QUARKUS_DATASOURCE_JDBC_URL is not a jdbc:postgresql://host:port/db URL");
                continue;
            }
            Map<String, String> postgres = COMPOSE.service(jdbc.group(1)).map(Service::environment).orElse(Map.of());
            if (!jdbc.group(2).equals(postgres.get("POSTGRES_DB"))) {
                problems.add(module + ": database " + jdbc.group(2) + " is not the POSTGRES_DB of " + jdbc.group(1));
            }
            if (!ComposeFile.withDefaults(environment.getOrDefault("QUARKUS_DATASOURCE_REACTIVE_URL", ""))
                    .equals(jdbc.group().substring("jdbc:".length()))) {
                problems.add(module + ": QUARKUS_DATASOURCE_REACTIVE_URL names another server or database than the"
                        + " JDBC URL " + jdbc.group());
            }
            if (!environment.getOrDefault("QUARKUS_DATASOURCE_USERNAME", "").equals(postgres.get("POSTGRES_USER"))
                    || !ComposeFile.variablesOf(environment.getOrDefault("QUARKUS_DATASOURCE_PASSWORD", ""))
                            .equals(ComposeFile.variablesOf(postgres.getOrDefault("POSTGRES_PASSWORD", "")))) {
                problems.add(module + ": the datasource's user and password are not " + jdbc.group(1) + "'s");
            }
            Matcher redis = Pattern.compile("redis://([a-z0-9-]+):\\d+")
                    .matcher(environment.getOrDefault("QUARKUS_REDIS_HOSTS", ""));
            if (config.reads("QUARKUS_REDIS_HOSTS") && (!redis.find() || COMPOSE.service(redis.group(1)).isEmpty())) {
                problems.add(module + ": QUARKUS_REDIS_HOSTS does not name a compose service");
            }
        }
        assertNoProblems(problems);
    }

    @Test
    void gatewayRoutesLikeTheLocalGateway() {
        Service gateway = serviceMounting("/etc/nginx/nginx.conf");
        ComposeGatewayConfig nginx = ComposeGatewayConfig.read(
                gateway.boundFile(ROOT, "/etc/nginx/nginx.conf").orElseThrow());
        List<String> problems = new ArrayList<>();
        Integer container = gateway.publishedPorts().get(SOURCES.gatewayPort());
        if (container == null || !nginx.listenPorts().contains(container)) {
            problems.add(gateway.name() + " should publish port " + SOURCES.gatewayPort() + " (Gateway.LOCAL_PORT) to"
                    + " a port nginx listens on " + nginx.listenPorts() + "; it publishes " + gateway.publishedPorts());
        }
        Map<String, ComposeGatewayConfig.Location> routes = nginx.routes();
        SOURCES.gatewayRoutes().forEach((prefix, name) -> {
            ServiceConfiguration owner = SERVICES.get(name + "-service");
            String expected = owner == null ? name + "-service:?" : owner.module() + ":" + owner.httpPort();
            Optional<String> upstream = Optional.ofNullable(routes.get(prefix))
                    .flatMap(ComposeGatewayConfig.Location::upstream);
            if (upstream.isEmpty() || !upstream.get().equals(expected)) {
                problems.add("nginx.conf should route " + prefix + " (and " + prefix + "/...) to " + expected
                        + ", as Gateway.ROUTES does; it routes it to " + upstream.orElse("nothing"));
            }
            if (owner != null && !"service_healthy".equals(gateway.dependsOn().get(owner.module()))) {
                problems.add(gateway.name() + " should start once " + owner.module() + " is healthy");
            }
            String notFound = nginx.location("/").map(ComposeGatewayConfig.Location::body).orElse("");
            if (!notFound.contains(prefix)) {
                problems.add("nginx.conf's 404 for unknown paths should list the route " + prefix);
            }
        });
        routes.keySet().stream().filter(prefix -> !SOURCES.gatewayRoutes().containsKey(prefix))
                .forEach(prefix -> problems.add("nginx.conf routes " + prefix + ", which Gateway.ROUTES does not have"));
        for (ServiceConfiguration config : SERVICES.values()) {
            for (String prefix : SOURCES.streamingPrefixes(config.module())) {
                problems.addAll(streamingProblems(prefix, routes.get(prefix), nginx));
            }
        }
        problems.addAll(frontDoorProblems(gateway, nginx));
        assertNoProblems(problems);
    }

    private static List<String> streamingProblems(String prefix, ComposeGatewayConfig.Location location,
            ComposeGatewayConfig nginx) {
        if (location == null) {
            return List.of("nginx.conf does not route " + prefix + ", where server-sent events are streamed");
        }
        List<String> problems = new ArrayList<>();
        if (!location.values("proxy_buffering").contains("off")) {
            problems.add("nginx.conf should stream " + prefix + " unbuffered (proxy_buffering off): it answers with"
                    + " server-sent events");
        }
        List<String> timeout = location.values("proxy_read_timeout").isEmpty()
                ? nginx.inherited("proxy_read_timeout")
                : location.values("proxy_read_timeout");
        Duration wait = timeout.isEmpty() ? Duration.ofSeconds(60) : ComposeGatewayConfig.duration(timeout.get(0));
        if (wait.compareTo(STREAM_PAUSE) < 0) {
            problems.add("nginx.conf gives " + prefix + " a proxy_read_timeout of " + wait.toSeconds() + "s; a stream"
                    + " may pause for " + STREAM_PAUSE.toSeconds() + "s while providers are retried");
        }
        return problems;
    }

    /** {@code path} as nginx matches it against locations: percent-decoded, slashes merged, dot segments resolved. */
    static String asNginxMatches(String path) {
        java.util.Deque<String> segments = new java.util.ArrayDeque<>();
        for (String segment : java.net.URLDecoder.decode(path.replace("+", "%2B"), java.nio.charset.StandardCharsets.UTF_8)
                .split("/")) {
            if (segment.equals("..")) {
                segments.pollLast();
            } else if (!segment.isEmpty() && !segment.equals(".")) {
                segments.addLast(segment);
            }
        }
        return "/" + String.join("/", segments);
    }

    private static List<String> frontDoorProblems(Service gateway, ComposeGatewayConfig nginx) {
        List<String> problems = new ArrayList<>();
        Optional<ComposeGatewayConfig.Location> notFound = nginx.location("/");
        if (notFound.isEmpty() || !notFound.get().values("return").stream().anyMatch(r -> r.startsWith("404 "))
                || !notFound.get().values("default_type").contains("application/problem+json")) {
            problems.add("nginx.conf should answer an unknown path with a 404 application/problem+json");
        }
        // internal endpoints answer the services only: one location refuses them, tried before any route
        Optional<ComposeGatewayConfig.Location> internal = nginx.location(INTERNAL_LOCATION);
        if (internal.isEmpty() || internal.get().values("return").stream().noneMatch(r -> r.startsWith("404 "))
                || !internal.get().values("default_type").contains("application/problem+json")) {
            problems.add("nginx.conf should answer /<prefix>/internal/... with a 404 application/problem+json "
                    + "(location " + INTERNAL_LOCATION + "): internal endpoints are for the services only");
        } else if (nginx.routes().values().stream()
                .anyMatch(route -> nginx.position(route) < nginx.position(internal.get()))) {
            problems.add("nginx.conf's internal-endpoint location must come before every route: regex locations "
                    + "are tried in order and the first match wins");
        }
        // Stripe's webhooks: anyone may post there, so the gateway takes no more than an event needs
        ComposeGatewayConfig.Location billing = nginx.routes().get("/billing");
        if (billing == null || !billing.body().contains("location ~ ^/billing/webhooks/")
                || !billing.values("client_max_body_size").contains("256k")) {
            problems.add("nginx.conf should cap webhook bodies at 256k in a location ~ ^/billing/webhooks/ inside "
                    + "the /billing route");
        }
        // set is a rewrite directive: a nested location does not inherit it, and proxy_pass http:// would have no host
        for (ComposeGatewayConfig.Location route : nginx.routes().values()) {
            if (route.body().split("proxy_pass\\s+http://\\$service", -1).length > route.body().split("set\\s+\\$service\\s",
                    -1).length) {
                problems.add("nginx.conf's location " + route.match() + " has a nested location that passes to "
                        + "$service without setting it (set is not inherited)");
            }
        }
        if (!nginx.inherited("error_page").contains("413 = @too_large")) {
            problems.add("nginx.conf should answer a body past its limit as problem+json (error_page 413 = @too_large)");
        }
        // the rule itself, on the path as nginx matches it (decoded, slashes merged, dot segments resolved)
        Pattern rule = Pattern.compile(INTERNAL_LOCATION.substring(INTERNAL_LOCATION.indexOf(' ') + 1),
                Pattern.CASE_INSENSITIVE);
        for (String spelled : INTERNAL_SPELLINGS) {
            if (!rule.matcher(asNginxMatches(spelled)).find()) {
                problems.add("nginx.conf's internal-endpoint rule lets " + spelled + " through");
            }
        }
        for (String open : NOT_INTERNAL) {
            if (rule.matcher(asNginxMatches(open)).find()) {
                problems.add("nginx.conf's internal-endpoint rule holds back " + open + ", which is not internal");
            }
        }
        if (nginx.location("= /healthz").map(l -> l.values("return")).orElse(List.of()).stream()
                .noneMatch(r -> r.startsWith("200"))) {
            problems.add("nginx.conf should answer /healthz with 200 for its own health check");
        }
        if (!gateway.healthcheck().orElse("").contains("/healthz")) {
            problems.add(gateway.name() + "'s health check should ask /healthz");
        }
        Set<String> headers = nginx.inherited("proxy_set_header").stream().map(h -> h.split("\\s+")[0])
                .collect(Collectors.toSet());
        for (String header : List.of("X-Forwarded-For", "X-Forwarded-Proto", "X-Forwarded-Host")) {
            if (!headers.contains(header)) {
                problems.add("nginx.conf should set " + header + " for every route (auth-service reads it)");
            }
        }
        for (String header : List.of("traceparent", "tracestate")) {
            if (!nginx.inherited("proxy_set_header").contains(header + " \"\"")) {
                problems.add("nginx.conf should clear " + header + " for every route: a trace begins at the gateway");
            }
        }
        nginx.routes().forEach((prefix, location) -> {
            if (!location.values("proxy_set_header").isEmpty()) {
                problems.add("nginx.conf's " + prefix + " sets its own proxy_set_header, which drops the inherited"
                        + " X-Forwarded-* headers; set headers at the server level only");
            }
        });
        return problems;
    }

    @Test
    void prometheusScrapesEveryServiceAndLoadsTheAlertRules() throws IOException {
        Service prometheus = serviceMounting("/etc/prometheus/prometheus.yml");
        JsonNode config = new ObjectMapper(new YAMLFactory()).readTree(
                prometheus.boundFile(ROOT, "/etc/prometheus/prometheus.yml").orElseThrow().toFile());
        List<String> problems = new ArrayList<>();
        for (ServiceConfiguration service : SERVICES.values()) {
            String target = service.module() + ":" + service.httpPort();
            List<JsonNode> jobs = new ArrayList<>();
            config.path("scrape_configs")
                    .forEach(job -> job.path("static_configs").forEach(group -> group.path("targets").forEach(t -> {
                        if (t.asText().equals(target)) {
                            jobs.add(job);
                        }
                    })));
            if (jobs.isEmpty()) {
                problems.add("prometheus.yml does not scrape " + target);
            }
            for (JsonNode job : jobs) {
                if (!job.path("metrics_path").asText("/metrics").equals("/q/metrics")) {
                    problems.add("prometheus.yml scrapes " + target + " at "
                            + job.path("metrics_path").asText("/metrics") + ", not /q/metrics");
                }
                if (!job.path("job_name").asText().equals(service.module())) {
                    problems.add("prometheus.yml's job for " + target + " should be named " + service.module()
                            + " (the dashboards select services by job)");
                }
            }
        }
        Set<String> targets = prometheus.volumes().stream().map(ComposeFile.Mount::target).collect(Collectors.toSet());
        config.path("rule_files").forEach(rules -> {
            if (targets.stream().noneMatch(t -> rules.asText().equals(t) || rules.asText().startsWith(t + "/"))) {
                problems.add("prometheus.yml loads " + rules.asText() + ", which " + prometheus.name()
                        + " does not mount");
            }
        });
        if (config.path("rule_files").isEmpty()) {
            problems.add("prometheus.yml loads no rule_files (the alerts)");
        }
        assertNoProblems(problems);
    }

    private static ServiceConfiguration issuerService() {
        String name = SOURCES.gatewayRoutes().get("/.well-known");
        ServiceConfiguration issuer = name == null ? null : SERVICES.get(name + "-service");
        if (issuer == null) {
            throw new AssertionError("Gateway.ROUTES names no service module behind /.well-known");
        }
        return issuer;
    }

    private static Service service(String name) {
        return COMPOSE.service(name)
                .orElseThrow(() -> new AssertionError(name + " is not a service of docker-compose.yml"));
    }

    private static Service serviceMounting(String target) {
        return COMPOSE.services().stream().filter(service -> service.boundFile(ROOT, target).isPresent()).findFirst()
                .orElseThrow(() -> new AssertionError("no service of docker-compose.yml mounts a file at " + target));
    }

    /** The variables a service is given with a value (Compose's defaults applied): an empty one counts as unset. */
    private static Map<String, String> given(Service service) {
        Map<String, String> given = new LinkedHashMap<>();
        service.environment().forEach((variable, value) -> {
            if (!ComposeFile.withDefaults(value).isEmpty()) {
                given.put(variable, ComposeFile.withDefaults(value));
            }
        });
        return given;
    }

    private static Map<String, ServiceConfiguration> services() {
        Map<String, ServiceConfiguration> services = new LinkedHashMap<>();
        try {
            ServiceConfiguration.load(ROOT).forEach(service -> services.put(service.module(), service));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return services;
    }

    private static void assertNoProblems(List<String> problems) {
        assertTrue(problems.isEmpty(), () -> problems.size() + " problem(s):\n  " + String.join("\n  ", problems));
    }
}
