package dev.tollgate.deploy;

import dev.tollgate.deploy.ConfigReferenceMapping.Property;
import dev.tollgate.deploy.ConfigReferenceSources.Module;
import dev.tollgate.deploy.ConfigReferenceSources.SourceFile;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What one service reads and what its prod profile needs, from the repository rather than from a list kept by
 * hand: its {@code quarkus.http.port}, common's shared properties and its own (every profile), the
 * {@code @ConfigMapping} properties of common and of the service (parsed by {@link ConfigReferenceParser}, the
 * reader behind docs/configuration.md), the Quarkus extensions its pom and common's bring and the servers devstack
 * hands every service ({@code DevStack.quarkusConfig()}). docker-compose.yml and deploy/k8s are both checked
 * against it, so that the two deployments cannot drift apart in what they think a service needs. Environment
 * variables are named as MicroProfile Config reads them: upper case, every other character an underscore.
 */
final class ServiceConfiguration {

    /** Properties Quarkus itself defines, which an expression may use without anyone setting them. */
    private static final Set<String> BUILT_IN = Set.of("quarkus.uuid", "quarkus.profile");
    /** Local-run settings that prod replaces with another: mail kept in memory there, sent through SMTP here. */
    private static final Map<String, String> REPLACED_IN_PROD = Map.of("quarkus.mailer.mock", "quarkus.mailer.host");
    /** The prefixes of the properties Quarkus extensions read, by the prefix of the artifacts that bring them. */
    private static final Map<String, List<String>> EXTENSION_PREFIXES = Map.ofEntries(
            Map.entry("quarkus-", List.of("quarkus.log.")),
            Map.entry("quarkus-rest", List.of("quarkus.http.")),
            Map.entry("quarkus-reactive-pg-client", List.of("quarkus.datasource.")),
            Map.entry("quarkus-jdbc-postgresql", List.of("quarkus.datasource.")),
            Map.entry("quarkus-flyway", List.of("quarkus.flyway.")),
            Map.entry("quarkus-redis-client", List.of("quarkus.redis.")),
            Map.entry("quarkus-messaging-kafka", List.of("kafka.", "mp.messaging.")),
            Map.entry("quarkus-mailer", List.of("quarkus.mailer.")),
            Map.entry("quarkus-oidc-client", List.of("quarkus.oidc-client.")),
            Map.entry("quarkus-opentelemetry", List.of("quarkus.otel.")),
            Map.entry("quarkus-smallrye-jwt", List.of("mp.jwt.", "smallrye.jwt.")));
    private static final Pattern DEPENDENCY = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL);
    private static final Pattern ARTIFACT = Pattern.compile("<artifactId>([^<]+)</artifactId>");
    private static final Pattern CONFIG_PUT = Pattern.compile("config\\.put\\(\"([^\"]+)\"");
    private static final Pattern LOCAL_FALLBACK = Pattern.compile("\\$\\{([^:}]+):[^}]*(localhost|127\\.0\\.0\\.1)");

    private final String module;
    private final int port;
    private final Map<String, String> prod;
    private final Set<String> keys;
    private final Map<String, String> local;
    private final List<MappedProperty> mapped;
    private final Set<String> prefixes;
    private final List<String> serverKeys;

    private ServiceConfiguration(String module, int port, Map<String, String> prod, Set<String> keys,
            Map<String, String> local, List<MappedProperty> mapped, Set<String> prefixes, List<String> serverKeys) {
        this.module = module;
        this.port = port;
        this.prod = prod;
        this.keys = keys;
        this.local = local;
        this.mapped = mapped;
        this.prefixes = prefixes;
        this.serverKeys = serverKeys;
    }

    /** The services of the repository at {@code root} ({@code *-service} modules), in the order of their ports. */
    static List<ServiceConfiguration> load(Path root) throws IOException {
        ConfigReferenceSources sources = ConfigReferenceSources.load(root);
        ConfigReferenceParser parser = new ConfigReferenceParser();
        List<String> serverKeys = devStackServerProperties(root);
        List<ServiceConfiguration> services = new ArrayList<>();
        for (Module module : sources.services()) {
            // the defaults of the libraries on its class path (common's, then quota-gate's)
            Map<String, String> commonAll = new LinkedHashMap<>();
            for (Module library : sources.librariesOf(module.name())) {
                commonAll.putAll(ConfigReferenceSources.readInOrder(root.resolve(library.propertiesPath())));
            }
            Map<String, String> all = ConfigReferenceSources.readInOrder(root.resolve(module.propertiesPath()));
            Map<String, String> prod = new LinkedHashMap<>();
            Set<String> keys = new LinkedHashSet<>();
            for (Map<String, String> file : List.of(commonAll, all)) {
                file.forEach((key, value) -> {
                    keys.add(key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key);
                    if (!key.startsWith("%")) {
                        prod.put(key, value);
                    }
                });
            }
            for (Map<String, String> file : List.of(commonAll, all)) {
                file.forEach((key, value) -> {
                    if (key.startsWith("%prod.")) {
                        prod.put(key.substring("%prod.".length()), value);
                    }
                });
            }
            Map<String, String> local = new LinkedHashMap<>();
            all.forEach((key, value) -> {
                if (key.startsWith("%local.")) {
                    local.put(key.substring("%local.".length()), value);
                }
            });
            List<MappedProperty> mapped = new ArrayList<>();
            List<Module> reading = new ArrayList<>(sources.librariesOf(module.name()));
            reading.add(module);
            for (Module source : reading) {
                for (SourceFile file : source.sources()) {
                    parser.mappings(file.unit(), source.name(), file.path()).forEach(mapping -> mapping.properties()
                            .forEach(property -> mapped.add(new MappedProperty(property, mapping.sourcePath()))));
                }
            }
            Set<String> prefixes = new LinkedHashSet<>();
            for (String artifact : artifacts(root, module.name())) {
                EXTENSION_PREFIXES.forEach((family, read) -> {
                    if (artifact.startsWith(family)) {
                        prefixes.addAll(read);
                    }
                });
            }
            String port = prod.get("quarkus.http.port");
            if (port == null || !port.trim().matches("\\d+")) {
                throw new IllegalStateException(module.propertiesPath() + " sets no quarkus.http.port");
            }
            // of the servers devstack gives every service, those whose client the service carries (Redis: only
            // the services with the quota gate)
            List<String> servers = serverKeys.stream().filter(key -> EXTENSION_PREFIXES.values().stream()
                    .flatMap(List::stream).noneMatch(key::startsWith)
                    || prefixes.stream().anyMatch(key::startsWith)).toList();
            services.add(new ServiceConfiguration(module.name(), Integer.parseInt(port.trim()),
                    Collections.unmodifiableMap(prod), keys, local, List.copyOf(mapped), prefixes, servers));
        }
        return List.copyOf(services);
    }

    /** Its Maven module, which is also its compose service's, Deployment's and Service's name: {@code auth-service}. */
    String module() {
        return module;
    }

    /** {@code auth} for {@code auth-service}: its folder under deploy/k8s/base, its name in Gateway.ROUTES. */
    String shortName() {
        return module.replaceFirst("-service$", "");
    }

    /** The port the service listens on in prod ({@code quarkus.http.port}). */
    int httpPort() {
        return port;
    }

    /** The properties the prod profile sees: common's, then the service's, {@code %prod.} over unprofiled ones. */
    Map<String, String> prodProperties() {
        return prod;
    }

    /** The properties of the {@code @ConfigMapping} interfaces on the service's class path (its own and common's). */
    List<MappedProperty> mappedProperties() {
        return mapped;
    }

    /**
     * Whether the environment variable {@code variable} sets something the service reads: a property of its or
     * common's properties (any profile), a name their expressions use, a {@code @ConfigMapping} property (any key
     * where the name has a map key), a server devstack gives every service, or a property of one of its Quarkus
     * extensions.
     */
    boolean reads(String variable) {
        if (keys.stream().anyMatch(key -> envName(key).equals(variable))
                || serverKeys.stream().anyMatch(key -> envName(key).equals(variable))
                || mapped.stream().anyMatch(property -> property.matchesEnv(variable))
                || prefixes.stream().anyMatch(prefix -> variable.startsWith(envName(prefix)))) {
            return true;
        }
        Set<String> names = new LinkedHashSet<>();
        prod.values().forEach(value -> collectNames(value, names));
        return names.stream().anyMatch(name -> envName(name).equals(variable));
    }

    /**
     * What the prod profile would miss with {@code environment} (variable to value, an empty value counting as
     * unset), each as a sentence that names the property and the variable to set: an expression that does not
     * resolve, a default that is an address of the local run, a {@code @ConfigMapping} property without a default,
     * a server devstack gives every service, and what the {@code local} profile sets that prod does not.
     */
    List<String> unmet(Map<String, String> environment) {
        Resolver resolver = new Resolver(environment);
        List<String> unmet = new ArrayList<>();
        prod.forEach((key, value) -> {
            if (value.contains("${") && resolver.resolve(value, 0) == null) {
                unmet.add(key + "=" + value + " does not resolve: " + resolver.missing(value));
            }
            Matcher fallback = LOCAL_FALLBACK.matcher(value);
            while (fallback.find()) {
                if (isEmpty(resolver.environment(fallback.group(1)))) {
                    unmet.add(key + " falls back to the local run's address: set " + envName(fallback.group(1)));
                }
            }
        });
        for (MappedProperty property : mapped) {
            if (property.required() && isEmpty(resolver.value(property.name(), 0))) {
                unmet.add(property.name() + " (" + property.source() + ") has no default: set "
                        + property.property().envVar());
            }
        }
        for (String key : serverKeys) {
            if (isEmpty(resolver.environment(key))) {
                unmet.add(key + " is not set, which the local run gives every service (DevStack.quarkusConfig()): set "
                        + envName(key));
            }
        }
        local.forEach((key, value) -> {
            String instead = REPLACED_IN_PROD.getOrDefault(key, key);
            boolean unset = !prod.containsKey(key) && isEmpty(resolver.environment(instead));
            if (unset || isEmpty(resolver.value(instead, 0))) {
                unmet.add("%local." + key + " is set for the local run only, prod leaves "
                        + (instead.equals(key) ? "it" : instead) + " unset: set " + envName(instead));
            }
        });
        return unmet;
    }

    /** MicroProfile Config's environment variable for a property: upper case, every other character {@code _}. */
    static String envName(String property) {
        return property.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]", "_");
    }

    /** The top-level {@code ${name}} and {@code ${name:fallback}} expressions of a property value. */
    static List<Expression> expressions(String value) {
        List<Expression> expressions = new ArrayList<>();
        int start = value.indexOf("${");
        while (start >= 0) {
            int end = closing(value, start + 2);
            String body = value.substring(start + 2, end);
            int colon = colon(body);
            expressions.add(colon < 0 ? new Expression(body, null)
                    : new Expression(body.substring(0, colon), body.substring(colon + 1)));
            start = value.indexOf("${", end);
        }
        return expressions;
    }

    private static void collectNames(String value, Set<String> names) {
        for (Expression expression : expressions(value)) {
            names.add(expression.name());
            if (expression.fallback() != null) {
                collectNames(expression.fallback(), names);
            }
        }
    }

    /** The index of the {@code }} that closes the expression whose body starts at {@code from}. */
    private static int closing(String raw, int from) {
        int depth = 1;
        for (int i = from; i < raw.length(); i++) {
            if (raw.startsWith("${", i)) {
                depth++;
                i++;
            } else if (raw.charAt(i) == '}' && --depth == 0) {
                return i;
            }
        }
        throw new IllegalArgumentException("an expression without its closing brace: " + raw);
    }

    /** The index of the colon that starts an expression body's default, or -1. */
    private static int colon(String body) {
        int depth = 0;
        for (int i = 0; i < body.length(); i++) {
            if (body.startsWith("${", i)) {
                depth++;
                i++;
            } else if (body.charAt(i) == '}') {
                depth--;
            } else if (body.charAt(i) == ':' && depth == 0) {
                return i;
            }
        }
        return -1;
    }

    private static boolean isEmpty(String value) {
        return value == null || value.isEmpty();
    }

    /**
     * The artifact ids of the dependencies the service's pom and its libraries' poms declare, test scope left out.
     */
    private static Set<String> artifacts(Path root, String module) throws IOException {
        Set<String> artifacts = new LinkedHashSet<>();
        String pom = SuiteSources.read(root.resolve(module).resolve("pom.xml"));
        List<String> poms = new ArrayList<>(List.of(module));
        ConfigReferenceSources.LIBRARIES.stream()
                .filter(library -> library.equals("common") || pom.contains("<artifactId>tollgate-" + library + "<"))
                .forEach(poms::add);
        for (String source : poms) {
            Matcher dependency = DEPENDENCY.matcher(SuiteSources.read(root.resolve(source).resolve("pom.xml")));
            while (dependency.find()) {
                Matcher artifact = ARTIFACT.matcher(dependency.group(1));
                if (!dependency.group(1).contains("<scope>test</scope>") && artifact.find()) {
                    artifacts.add(artifact.group(1));
                }
            }
        }
        return artifacts;
    }

    /** The properties {@code DevStack.quarkusConfig()} gives every service: the servers and how to reach them. */
    private static List<String> devStackServerProperties(Path root) {
        String source = SuiteSources.read(root.resolve("devstack/src/main/java/dev/tollgate/devstack/DevStack.java"));
        int start = source.indexOf("quarkusConfig()");
        int end = start < 0 ? -1 : source.indexOf("return config;", start);
        if (end < 0) {
            throw new IllegalStateException("found no quarkusConfig() ending in 'return config;' in DevStack.java");
        }
        List<String> properties = new ArrayList<>();
        Matcher matcher = CONFIG_PUT.matcher(source.substring(start, end));
        while (matcher.find()) {
            properties.add(matcher.group(1));
        }
        if (properties.isEmpty()) {
            throw new IllegalStateException("DevStack.quarkusConfig() no longer reads as expected");
        }
        return List.copyOf(properties);
    }

    /** {@code ${name}} or {@code ${name:fallback}}; {@code fallback} is null without a colon. */
    record Expression(String name, String fallback) {
    }

    /**
     * One property of a {@code @ConfigMapping} interface on the service's class path.
     *
     * @param property the property as {@link ConfigReferenceParser} reads it, map keys written {@code <name>}
     * @param sourcePath the file that declares its mapping, relative to the repository root
     */
    record MappedProperty(Property property, String sourcePath) {

        String name() {
            return property.name();
        }

        /** Whether start-up fails without it: no {@code @WithDefault}, not {@code Optional}, not in a map. */
        boolean required() {
            return !property.optional() && !property.inMap() && property.defaultValue().isEmpty();
        }

        /** The interface and method that declare it and their file, for messages. */
        String source() {
            return property.declaredAt() + " in " + sourcePath;
        }

        /** Whether {@code variable} is this property's environment variable (any key where the name has one). */
        boolean matchesEnv(String variable) {
            String pattern = Pattern.quote(property.envVar()).replaceAll("<[A-Z0-9_]+>", "\\\\E[A-Z0-9_]+\\\\Q");
            return variable.matches(pattern);
        }
    }

    /** Property values as the prod profile sees them: the environment first, then the properties, then defaults. */
    private final class Resolver {

        private static final int DEPTH = 16;

        private final Map<String, String> environment;

        Resolver(Map<String, String> environment) {
            this.environment = environment;
        }

        /** What the environment sets {@code name} to, by its own name or its environment variable; null if nothing. */
        String environment(String name) {
            return environment.containsKey(name) ? environment.get(name) : environment.get(envName(name));
        }

        /** The value of a property or variable, expressions resolved; null when it is not set. */
        String value(String name, int depth) {
            if (depth > DEPTH) {
                return null;
            }
            if (BUILT_IN.contains(name)) {
                return name;
            }
            String env = environment(name);
            if (env != null) {
                return env;
            }
            String raw = prod.get(name);
            if (raw == null) {
                raw = mapped.stream().filter(property -> property.name().equals(name))
                        .map(property -> property.property().defaultValue().orElse(null))
                        .filter(value -> value != null).findFirst().orElse(null);
            }
            return raw == null ? null : resolve(raw, depth + 1);
        }

        /** {@code raw} with its {@code ${name}} and {@code ${name:default}} expressions resolved, or null. */
        String resolve(String raw, int depth) {
            StringBuilder out = new StringBuilder();
            int i = 0;
            while (i < raw.length()) {
                int start = raw.indexOf("${", i);
                if (start < 0) {
                    out.append(raw, i, raw.length());
                    break;
                }
                out.append(raw, i, start);
                int end = closing(raw, start + 2);
                String inner = raw.substring(start + 2, end);
                int colon = colon(inner);
                String value = value(colon < 0 ? inner : inner.substring(0, colon), depth);
                if (isEmpty(value)) {
                    value = colon < 0 ? null : resolve(inner.substring(colon + 1), depth + 1);
                }
                if (value == null) {
                    return null;
                }
                out.append(value);
                i = end + 1;
            }
            return out.toString();
        }

        /** The names in {@code raw}'s expressions that are set nowhere, with their environment variables. */
        String missing(String raw) {
            Set<String> names = new LinkedHashSet<>();
            collectNames(raw, names);
            List<String> missing = new ArrayList<>();
            for (String name : names) {
                if (isEmpty(value(name, 0))) {
                    missing.add(name + " (environment " + envName(name) + ")");
                }
            }
            return missing.isEmpty() ? "an expression in it" : String.join(", ", missing);
        }
    }
}
