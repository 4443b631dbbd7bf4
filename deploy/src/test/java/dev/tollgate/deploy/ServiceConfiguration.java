package dev.tollgate.deploy;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What one service reads, from its source files: its {@code application.properties} over common's
 * {@code META-INF/microprofile-config.properties}, the {@code @ConfigMapping} interfaces of the service and of
 * common, and the artifacts its pom and common's pom depend on. It
 * answers which settings the prod profile leaves unset, so that a deployment can be checked against the services
 * instead of against a list kept by hand.
 */
final class ServiceConfiguration {

    /** Properties Quarkus itself provides at run time, so an expression may name them without anyone setting them. */
    private static final Set<String> PROVIDED_BY_QUARKUS = Set.of("quarkus.uuid");
    private static final Pattern DEPENDENCY = Pattern.compile("<dependency>(.*?)</dependency>", Pattern.DOTALL);
    private static final Pattern ARTIFACT = Pattern.compile("<artifactId>([^<]+)</artifactId>");

    private final String module;
    private final Properties service;
    private final Properties common;
    private final List<MappedProperty> mapped;
    private final Set<String> artifacts;

    private ServiceConfiguration(String module, Properties service, Properties common, List<MappedProperty> mapped,
            Set<String> artifacts) {
        this.module = module;
        this.service = service;
        this.common = common;
        this.mapped = mapped;
        this.artifacts = artifacts;
    }

    /** Reads {@code module} (e.g. {@code auth-service}) of the repository at {@code root}. */
    static ServiceConfiguration read(Path root, String module) {
        Properties service = load(root.resolve(module).resolve("src/main/resources/application.properties"));
        Properties common = load(root.resolve("common/src/main/resources/META-INF/microprofile-config.properties"));
        List<MappedProperty> mapped = new ArrayList<>();
        for (String source : List.of(module, "common")) {
            for (Path file : javaSources(root.resolve(source).resolve("src/main/java"))) {
                mapped.addAll(new MappingReader(read(file), root.relativize(file).toString()).properties());
            }
        }
        Set<String> artifacts = new LinkedHashSet<>();
        for (String source : List.of(module, "common")) {
            Matcher dependency = DEPENDENCY.matcher(read(root.resolve(source).resolve("pom.xml")));
            while (dependency.find()) {
                Matcher artifact = ARTIFACT.matcher(dependency.group(1));
                if (!dependency.group(1).contains("<scope>test</scope>") && artifact.find()) {
                    artifacts.add(artifact.group(1));
                }
            }
        }
        return new ServiceConfiguration(module, service, common, List.copyOf(mapped), Set.copyOf(artifacts));
    }

    String module() {
        return module;
    }

    /** The port the service listens on in prod ({@code quarkus.http.port}). */
    int httpPort() {
        String port = prodProperties().get("quarkus.http.port");
        if (port == null) {
            throw new AssertionError(module + " sets no quarkus.http.port in its application.properties");
        }
        return Integer.parseInt(port.trim());
    }

    /** The properties the prod profile sees: common's, then the service's, {@code %prod.} over unprofiled ones. */
    Map<String, String> prodProperties() {
        Map<String, String> prod = new LinkedHashMap<>();
        for (Properties file : List.of(common, service)) {
            file.stringPropertyNames().stream().filter(key -> !key.startsWith("%"))
                    .forEach(key -> prod.put(key, file.getProperty(key)));
        }
        for (Properties file : List.of(common, service)) {
            file.stringPropertyNames().stream().filter(key -> key.startsWith("%prod."))
                    .forEach(key -> prod.put(key.substring("%prod.".length()), file.getProperty(key)));
        }
        return prod;
    }

    /** The service's own properties of one profile (e.g. {@code local}), without the {@code %profile.} prefix. */
    Map<String, String> profileProperties(String profile) {
        String prefix = "%" + profile + ".";
        Map<String, String> properties = new LinkedHashMap<>();
        service.stringPropertyNames().stream().filter(key -> key.startsWith(prefix)).sorted()
                .forEach(key -> properties.put(key.substring(prefix.length()), service.getProperty(key)));
        return properties;
    }

    /** Every key either file sets, in any profile, without its profile prefix. */
    Set<String> keys() {
        Set<String> keys = new LinkedHashSet<>();
        for (Properties file : List.of(common, service)) {
            for (String key : file.stringPropertyNames()) {
                keys.add(key.startsWith("%") ? key.substring(key.indexOf('.') + 1) : key);
            }
        }
        return keys;
    }

    /** The environment variables the files name in expressions, such as {@code STRIPE_API_KEY}. */
    Set<String> referencedVariables() {
        Set<String> variables = new LinkedHashSet<>();
        for (Properties file : List.of(common, service)) {
            for (String key : file.stringPropertyNames()) {
                collectNames(file.getProperty(key), variables);
            }
        }
        variables.removeIf(name -> !name.equals(name.toUpperCase(Locale.ROOT)));
        return variables;
    }

    /** The properties of the {@code @ConfigMapping} interfaces on the service's class path (its own and common's). */
    List<MappedProperty> mappedProperties() {
        return mapped;
    }

    /** The artifact ids of the dependencies the service's pom and common's pom declare, test scope left out. */
    Set<String> artifacts() {
        return artifacts;
    }

    /**
     * What the prod profile leaves unset when the environment holds {@code environment} (variable names): a
     * mapped property without a default that no file sets, or an expression without a default that neither the
     * files nor the environment resolve. Each entry says which setting and why it is needed.
     */
    List<String> unsetInProd(Set<String> environment) {
        Map<String, String> prod = prodProperties();
        Map<String, List<String>> reasons = new LinkedHashMap<>();
        for (MappedProperty property : mapped) {
            if (property.required() && !prod.containsKey(property.name())
                    && !environment.contains(envName(property.name()))) {
                reasons.computeIfAbsent(property.name(), name -> new ArrayList<>())
                        .add("required by " + property.source());
            }
        }
        prod.forEach((key, value) -> {
            if (!environment.contains(envName(key))) {
                for (String name : unresolved(value, prod, environment)) {
                    reasons.computeIfAbsent(name, unset -> new ArrayList<>()).add(key + "=" + value + " needs it");
                }
            }
        });
        List<String> unset = new ArrayList<>();
        reasons.forEach((name, why) -> unset.add(name + " (env " + envName(name) + "): " + String.join("; ", why)));
        return unset;
    }

    /** The names in {@code value}'s expressions that nothing resolves, following defaults where there are some. */
    private static List<String> unresolved(String value, Map<String, String> prod, Set<String> environment) {
        List<String> unresolved = new ArrayList<>();
        for (Expression expression : expressions(value)) {
            String name = expression.name();
            boolean given = environment.contains(name) || environment.contains(envName(name))
                    || prod.containsKey(name) || PROVIDED_BY_QUARKUS.contains(name);
            if (!given && expression.fallback() != null) {
                unresolved.addAll(unresolved(expression.fallback(), prod, environment));
            } else if (!given) {
                unresolved.add(name);
            }
        }
        return unresolved;
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
            int depth = 0;
            int end = start;
            for (int i = start; i < value.length(); i++) {
                if (value.startsWith("${", i)) {
                    depth++;
                    i++;
                } else if (value.charAt(i) == '}' && --depth == 0) {
                    end = i;
                    break;
                }
            }
            if (end == start) {
                throw new AssertionError("an expression without its closing brace: " + value);
            }
            String body = value.substring(start + 2, end);
            int colon = body.indexOf(':');
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

    private static List<Path> javaSources(Path directory) {
        if (!Files.isDirectory(directory)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(directory)) {
            return files.filter(file -> file.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Properties load(Path file) {
        Properties properties = new Properties();
        try (Reader reader = Files.newBufferedReader(file)) {
            properties.load(reader);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        return properties;
    }

    static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    /**
     * Reads the {@code @ConfigMapping} interfaces of one Java source file without compiling it, the way SmallRye
     * Config names their properties: kebab-case method names (or {@code @WithName}), nested interfaces as groups
     * ({@code @WithParentName}: under the parent's name), map values under a {@code *} key. Comments are dropped
     * and string literals set aside first, so that braces and parentheses in them do not count.
     */
    private static final class MappingReader {

        private static final Pattern MAPPING =
                Pattern.compile("@ConfigMapping\\s*\\(\\s*prefix\\s*=\\s*\"#(\\d+)\"\\s*\\)");
        private static final Pattern INTERFACE = Pattern.compile("\\binterface\\s+(\\w+)[^{;]*\\{");
        private static final Pattern METHOD = Pattern.compile(
                "((?:@[\\w.]+(?:\\([^)]*\\))?\\s*)*)(.+?)\\s+(\\w+)\\s*\\(\\s*\\)", Pattern.DOTALL);
        private static final Pattern ANNOTATION = Pattern.compile("@([\\w.]+)(?:\\(([^)]*)\\))?");
        private static final Pattern LITERAL = Pattern.compile("\"#(\\d+)\"");

        private final List<String> literals = new ArrayList<>();
        private final Map<String, String> interfaces = new LinkedHashMap<>();
        private final String code;
        private final String file;

        MappingReader(String source, String file) {
            this.file = file;
            this.code = strip(source);
            Matcher matcher = INTERFACE.matcher(code);
            while (matcher.find()) {
                int end = closingBrace(code, matcher.end() - 1);
                interfaces.put(matcher.group(1), code.substring(matcher.end(), end));
            }
        }

        List<MappedProperty> properties() {
            List<MappedProperty> properties = new ArrayList<>();
            Matcher mapping = MAPPING.matcher(code);
            while (mapping.find()) {
                Matcher root = INTERFACE.matcher(code);
                if (!root.find(mapping.end())) {
                    throw new AssertionError("no interface after @ConfigMapping in " + file);
                }
                group(literals.get(Integer.parseInt(mapping.group(1))), root.group(1), true, properties, 0);
            }
            return properties;
        }

        private void group(String prefix, String type, boolean required, List<MappedProperty> out, int depth) {
            if (depth > 10) {
                throw new AssertionError("mapping groups nested too deep in " + file + " at " + prefix);
            }
            for (String member : members(interfaces.get(type))) {
                Matcher method = METHOD.matcher(member);
                if (member.startsWith("default ") || member.startsWith("static ") || !method.matches()) {
                    continue;
                }
                Map<String, String> annotations = annotations(method.group(1));
                String name = annotations.containsKey("WithName") ? annotations.get("WithName")
                        : method.group(3).replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
                String path = annotations.containsKey("WithParentName") ? prefix : prefix + "." + name;
                String source = type + "." + method.group(3) + "() in " + file;
                property(path, method.group(2).replaceAll("@[\\w.]+(\\([^)]*\\))?\\s*", "").trim(), required,
                        annotations.get("WithDefault"), source, out, depth);
            }
        }

        private void property(String path, String type, boolean required, String defaultValue, String source,
                List<MappedProperty> out, int depth) {
            String raw = type.contains("<") ? type.substring(0, type.indexOf('<')).trim() : type;
            String simple = raw.substring(raw.lastIndexOf('.') + 1);
            List<String> arguments = typeArguments(type);
            if (simple.startsWith("Optional")) {
                if (arguments.isEmpty()) {
                    out.add(new MappedProperty(path, false, defaultValue, source));
                } else {
                    property(path, arguments.get(0), false, defaultValue, source, out, depth);
                }
            } else if (simple.endsWith("Map") && arguments.size() == 2) {
                property(path + ".*", arguments.get(1), false, defaultValue, source, out, depth);
            } else if (interfaces.containsKey(simple)) {
                group(path, simple, required, out, depth + 1);
            } else {
                out.add(new MappedProperty(path, required && defaultValue == null, defaultValue, source));
            }
        }

        private Map<String, String> annotations(String text) {
            Map<String, String> annotations = new LinkedHashMap<>();
            Matcher matcher = ANNOTATION.matcher(text);
            while (matcher.find()) {
                String name = matcher.group(1).substring(matcher.group(1).lastIndexOf('.') + 1);
                Matcher literal = LITERAL.matcher(matcher.group(2) == null ? "" : matcher.group(2));
                annotations.put(name, literal.find() ? literals.get(Integer.parseInt(literal.group(1))) : "");
            }
            return annotations;
        }

        private static List<String> typeArguments(String type) {
            List<String> arguments = new ArrayList<>();
            if (!type.contains("<")) {
                return arguments;
            }
            String inner = type.substring(type.indexOf('<') + 1, type.lastIndexOf('>'));
            int depth = 0;
            int start = 0;
            for (int i = 0; i < inner.length(); i++) {
                char c = inner.charAt(i);
                depth += c == '<' ? 1 : c == '>' ? -1 : 0;
                if (c == ',' && depth == 0) {
                    arguments.add(inner.substring(start, i).trim());
                    start = i + 1;
                }
            }
            arguments.add(inner.substring(start).trim());
            return arguments;
        }

        /** The members of an interface body: declarations ending in {@code ;} and blocks (nested types, defaults). */
        private static List<String> members(String body) {
            List<String> members = new ArrayList<>();
            StringBuilder current = new StringBuilder();
            int depth = 0;
            for (char c : body.toCharArray()) {
                if (c == '{') {
                    depth++;
                } else if (c == '}' && --depth == 0) {
                    current.setLength(0);
                    continue;
                } else if (c == ';' && depth == 0) {
                    members.add(current.toString().trim());
                    current.setLength(0);
                    continue;
                }
                if (depth == 0) {
                    current.append(c);
                }
            }
            return members;
        }

        private static int closingBrace(String code, int open) {
            int depth = 0;
            for (int i = open; i < code.length(); i++) {
                if (code.charAt(i) == '{') {
                    depth++;
                } else if (code.charAt(i) == '}' && --depth == 0) {
                    return i;
                }
            }
            throw new AssertionError("unbalanced braces in the source");
        }

        /** The source without comments, each string literal replaced by {@code "#n"} ({@code n} its index). */
        private String strip(String source) {
            StringBuilder code = new StringBuilder();
            int i = 0;
            while (i < source.length()) {
                char c = source.charAt(i);
                if (source.startsWith("//", i)) {
                    int end = source.indexOf('\n', i);
                    i = end < 0 ? source.length() : end;
                } else if (source.startsWith("/*", i)) {
                    int end = source.indexOf("*/", i + 2);
                    i = end < 0 ? source.length() : end + 2;
                    code.append(' ');
                } else if (c == '"') {
                    StringBuilder literal = new StringBuilder();
                    i++;
                    while (i < source.length() && source.charAt(i) != '"') {
                        if (source.charAt(i) == '\\' && i + 1 < source.length()) {
                            i++;
                        }
                        literal.append(source.charAt(i++));
                    }
                    i++;
                    code.append("\"#").append(literals.size()).append('"');
                    literals.add(literal.toString());
                } else if (c == '\'') {
                    int end = source.charAt(i + 1) == '\\' ? i + 3 : i + 2;
                    code.append("' '");
                    i = end + 1;
                } else {
                    code.append(c);
                    i++;
                }
            }
            return code.toString();
        }
    }

    /** {@code ${name}} or {@code ${name:fallback}}; {@code fallback} is null without a colon. */
    record Expression(String name, String fallback) {
    }

    /**
     * One property of a {@code @ConfigMapping} interface.
     *
     * @param name the full name; a map key is {@code *}, e.g. {@code tollgate.auth.clients.*.secret}
     * @param required whether start-up fails without it: no {@code @WithDefault}, not {@code Optional}, not in a map
     * @param defaultValue the {@code @WithDefault} value, or null
     * @param source the interface and method that declare it, for messages
     */
    record MappedProperty(String name, boolean required, String defaultValue, String source) {

        /** Whether {@code variable} is this property's environment variable (any key where the name has {@code *}). */
        boolean matchesEnv(String variable) {
            StringBuilder regex = new StringBuilder();
            for (String segment : name.split("\\.")) {
                regex.append(regex.length() == 0 ? "" : "_")
                        .append(segment.equals("*") ? "[A-Z0-9_]+" : Pattern.quote(envName(segment)));
            }
            return variable.matches(regex.toString());
        }
    }
}
