package dev.tollgate.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A {@code docker-compose.yml} read with Jackson, with what the checks need of it: the services, their
 * environment, ports, health checks, dependencies and mounts, and Compose's variable interpolation
 * ({@code ${VAR:-default}}, {@code ${VAR:?message}}, {@code $$}) resolved the way Compose resolves it when the
 * variables are unset, since no Docker engine is at hand to do it.
 */
final class ComposeFile {

    private final JsonNode root;

    private ComposeFile(JsonNode root) {
        this.root = root;
    }

    static ComposeFile read(Path file) {
        try {
            return new ComposeFile(new ObjectMapper(new YAMLFactory()).readTree(file.toFile()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    Set<String> serviceNames() {
        Set<String> names = new LinkedHashSet<>();
        root.path("services").fieldNames().forEachRemaining(names::add);
        return names;
    }

    Optional<Service> service(String name) {
        JsonNode node = root.path("services").path(name);
        return node.isObject() ? Optional.of(new Service(name, node)) : Optional.empty();
    }

    List<Service> services() {
        return serviceNames().stream().map(name -> new Service(name, root.path("services").path(name))).toList();
    }

    /** The named volumes the file declares at the top level. */
    Set<String> declaredVolumes() {
        Set<String> names = new LinkedHashSet<>();
        root.path("volumes").fieldNames().forEachRemaining(names::add);
        return names;
    }

    /** Every variable the file interpolates, in keys and values alike. */
    Set<String> variables() {
        Set<String> variables = new LinkedHashSet<>();
        collectVariables(root, variables);
        return variables;
    }

    private static void collectVariables(JsonNode node, Set<String> variables) {
        if (node.isTextual()) {
            variables.addAll(variablesOf(node.asText()));
        }
        for (Map.Entry<String, JsonNode> field : node.properties()) {
            variables.addAll(variablesOf(field.getKey()));
            collectVariables(field.getValue(), variables);
        }
        if (node.isArray()) {
            node.forEach(element -> collectVariables(element, variables));
        }
    }

    /** The variables one value interpolates, including those in defaults. */
    static Set<String> variablesOf(String value) {
        Set<String> variables = new LinkedHashSet<>();
        for (Interpolation interpolation : interpolations(value)) {
            variables.add(interpolation.variable());
            if (interpolation.operator().contains("-")) {
                variables.addAll(variablesOf(interpolation.argument()));
            }
        }
        return variables;
    }

    /**
     * The value Compose passes on when no variable is set: defaults filled in, {@code $$} as {@code $}, and a
     * variable without a default (required or not) as {@code <VAR>}.
     */
    static String withDefaults(String value) {
        StringBuilder resolved = new StringBuilder();
        int i = 0;
        for (Interpolation interpolation : interpolations(value)) {
            resolved.append(value, i, interpolation.start());
            resolved.append(interpolation.operator().contains("-") ? withDefaults(interpolation.argument())
                    : "<" + interpolation.variable() + ">");
            i = interpolation.end();
        }
        return resolved.append(value.substring(i)).toString().replace("$$", "$");
    }

    /** The {@code ${...}} and {@code $VAR} of a value, outermost only, skipping {@code $$}. */
    static List<Interpolation> interpolations(String value) {
        List<Interpolation> interpolations = new ArrayList<>();
        int i = 0;
        while (i < value.length()) {
            if (value.startsWith("$$", i)) {
                i += 2;
            } else if (value.startsWith("${", i)) {
                int end = closingBrace(value, i);
                String body = value.substring(i + 2, end);
                int name = 0;
                while (name < body.length() && isNamePart(body.charAt(name))) {
                    name++;
                }
                String rest = body.substring(name);
                String operator = rest.startsWith(":") && rest.length() > 1 ? rest.substring(0, 2)
                        : rest.isEmpty() ? "" : rest.substring(0, 1);
                interpolations.add(new Interpolation(body.substring(0, name), operator,
                        rest.substring(operator.length()), i, end + 1));
                i = end + 1;
            } else if (value.charAt(i) == '$' && i + 1 < value.length()
                    && (Character.isLetter(value.charAt(i + 1)) || value.charAt(i + 1) == '_')) {
                int end = i + 1;
                while (end < value.length() && isNamePart(value.charAt(end))) {
                    end++;
                }
                interpolations.add(new Interpolation(value.substring(i + 1, end), "", "", i, end));
                i = end;
            } else {
                i++;
            }
        }
        return interpolations;
    }

    private static boolean isNamePart(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    private static int closingBrace(String value, int start) {
        int depth = 0;
        for (int i = start; i < value.length(); i++) {
            if (value.startsWith("${", i)) {
                depth++;
                i++;
            } else if (value.charAt(i) == '}' && --depth == 0) {
                return i;
            }
        }
        throw new AssertionError("an interpolation without its closing brace: " + value);
    }

    private static String text(JsonNode node) {
        return node.isNull() || node.isMissingNode() ? "" : node.asText();
    }

    /**
     * One {@code ${variable<operator>argument}}, e.g. {@code ${POSTGRES_PASSWORD:?set it}}: operator {@code :?},
     * argument {@code set it}; {@code start} and {@code end} delimit it in its value.
     */
    record Interpolation(String variable, String operator, String argument, int start, int end) {

        /** Whether Compose refuses to start when the variable is unset ({@code :?} or {@code ?}). */
        boolean required() {
            return operator.contains("?");
        }
    }

    /** A volume of a service: a named volume or a path of the host, and where it is mounted. */
    record Mount(String source, String target) {

        boolean bind() {
            return source.startsWith(".") || source.startsWith("/") || source.startsWith("~");
        }
    }

    /** One service of the file. */
    record Service(String name, JsonNode node) {

        Optional<String> image() {
            return node.has("image") ? Optional.of(text(node.get("image"))) : Optional.empty();
        }

        /** The build context as written, e.g. {@code ./auth-service}; empty when the image is not built here. */
        Optional<String> buildContext() {
            JsonNode build = node.path("build");
            return build.isTextual() ? Optional.of(build.asText())
                    : build.has("context") ? Optional.of(text(build.get("context"))) : Optional.empty();
        }

        Optional<String> dockerfile() {
            return node.path("build").has("dockerfile") ? Optional.of(text(node.path("build").get("dockerfile")))
                    : Optional.empty();
        }

        /** The environment as written (values not interpolated), in the map or the list form. */
        Map<String, String> environment() {
            Map<String, String> environment = new LinkedHashMap<>();
            JsonNode node = this.node.path("environment");
            if (node.isArray()) {
                node.forEach(entry -> {
                    String text = entry.asText();
                    int equals = text.indexOf('=');
                    environment.put(equals < 0 ? text : text.substring(0, equals),
                            equals < 0 ? "" : text.substring(equals + 1));
                });
            } else {
                node.properties().forEach(entry -> environment.put(entry.getKey(), text(entry.getValue())));
            }
            return environment;
        }

        /** The ports the container listens on that the file names: {@code expose} and the container side of ports. */
        Set<Integer> containerPorts() {
            Set<Integer> ports = new LinkedHashSet<>();
            node.path("expose").forEach(port -> ports.add(Integer.parseInt(port.asText().split("/")[0])));
            publishedPorts().forEach((host, container) -> ports.add(container));
            return ports;
        }

        /** Host port to container port, for each published port. */
        Map<Integer, Integer> publishedPorts() {
            Map<Integer, Integer> ports = new LinkedHashMap<>();
            node.path("ports").forEach(port -> {
                if (port.isObject()) {
                    ports.put(port.path("published").asInt(), port.path("target").asInt());
                } else {
                    String[] parts = port.asText().split("/")[0].split(":");
                    int container = Integer.parseInt(parts[parts.length - 1]);
                    ports.put(parts.length > 1 ? Integer.parseInt(parts[parts.length - 2]) : container, container);
                }
            });
            return ports;
        }

        /** The health check's command as one line (interpolated with defaults), if there is one. */
        Optional<String> healthcheck() {
            JsonNode test = node.path("healthcheck").path("test");
            if (test.isMissingNode() || node.path("healthcheck").path("disable").asBoolean(false)) {
                return Optional.empty();
            }
            List<String> parts = new ArrayList<>();
            if (test.isArray()) {
                test.forEach(part -> parts.add(part.asText()));
            } else {
                parts.add(test.asText());
            }
            if (parts.isEmpty() || parts.get(0).equals("NONE")) {
                return Optional.empty();
            }
            return Optional.of(withDefaults(String.join(" ", parts)));
        }

        /** The services this one waits for, with the condition of each ({@code service_started} by default). */
        Map<String, String> dependsOn() {
            Map<String, String> dependencies = new LinkedHashMap<>();
            JsonNode node = this.node.path("depends_on");
            if (node.isArray()) {
                node.forEach(name -> dependencies.put(name.asText(), "service_started"));
            } else {
                node.properties().forEach(entry -> dependencies.put(entry.getKey(),
                        entry.getValue().path("condition").asText("service_started")));
            }
            return dependencies;
        }

        String restart() {
            return text(node.path("restart"));
        }

        List<Mount> volumes() {
            List<Mount> mounts = new ArrayList<>();
            node.path("volumes").forEach(volume -> {
                if (volume.isObject()) {
                    mounts.add(new Mount(text(volume.path("source")), text(volume.path("target"))));
                } else {
                    String[] parts = volume.asText().split(":");
                    mounts.add(parts.length == 1 ? new Mount("", parts[0]) : new Mount(parts[0], parts[1]));
                }
            });
            return mounts;
        }

        /** Where the host path mounted at {@code target} is, relative to {@code directory} (the file's). */
        Optional<Path> boundFile(Path directory, String target) {
            return volumes().stream().filter(mount -> mount.bind() && mount.target().equals(target))
                    .map(mount -> directory.resolve(mount.source()).normalize()).findFirst();
        }
    }
}
