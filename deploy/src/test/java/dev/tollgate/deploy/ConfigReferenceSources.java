package dev.tollgate.deploy;

import com.github.javaparser.JavaParser;
import com.github.javaparser.ParseResult;
import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.ParserConfiguration.LanguageLevel;
import com.github.javaparser.ast.CompilationUnit;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * The repository as the configuration reference reads it: the libraries services ship ({@code common}, which every
 * service has, and {@code quota-gate}, which those that depend on it have) and the services (the {@code *-service}
 * modules, in the order of their HTTP ports), each with its main Java sources parsed by JavaParser and the
 * properties it ships without a profile (a library's {@code META-INF/microprofile-config.properties}, a service's
 * {@code application.properties}). Other modules (devstack, testing, bench, ...) are not services and are left
 * out.
 */
final class ConfigReferenceSources {

    /** One parsed source file; {@code path} is relative to the repository root, with {@code /} separators. */
    record SourceFile(String module, String path, CompilationUnit unit) {
    }

    /** A module, its parsed main sources and the properties it ships, in file order, profiles left out. */
    record Module(String name, List<SourceFile> sources, String propertiesPath, Map<String, String> properties) {
    }

    /** The libraries a service may ship, {@code common} first. */
    static final List<String> LIBRARIES = List.of("common", "quota-gate");

    private final Path root;
    private final List<Module> libraries;
    private final List<Module> services;
    private final Map<String, List<Module>> librariesOf;

    private ConfigReferenceSources(Path root, List<Module> libraries, List<Module> services,
            Map<String, List<Module>> librariesOf) {
        this.root = root;
        this.libraries = libraries;
        this.services = services;
        this.librariesOf = librariesOf;
    }

    /** Reads the repository whose root is {@code root}. */
    static ConfigReferenceSources load(Path root) throws IOException {
        JavaParser parser = new JavaParser(new ParserConfiguration().setLanguageLevel(LanguageLevel.JAVA_17));
        List<Module> libraries = new ArrayList<>();
        for (String library : LIBRARIES) {
            libraries.add(module(root, library, "src/main/resources/META-INF/microprofile-config.properties", parser));
        }
        List<Module> services = new ArrayList<>();
        try (Stream<Path> children = Files.list(root)) {
            for (Path dir : children.sorted().collect(Collectors.toList())) {
                String name = dir.getFileName().toString();
                if (name.endsWith("-service") && Files.isDirectory(dir.resolve("src/main/java"))) {
                    services.add(module(root, name, "src/main/resources/application.properties", parser));
                }
            }
        }
        services.sort(Comparator.comparingInt(ConfigReferenceSources::port).thenComparing(Module::name));
        Map<String, List<Module>> librariesOf = new LinkedHashMap<>();
        for (Module service : services) {
            String pom = Files.readString(root.resolve(service.name()).resolve("pom.xml"), StandardCharsets.UTF_8);
            librariesOf.put(service.name(), libraries.stream().filter(library -> library.name().equals("common")
                    || pom.contains("<artifactId>tollgate-" + library.name() + "</artifactId>")).toList());
        }
        return new ConfigReferenceSources(root, List.copyOf(libraries), List.copyOf(services), librariesOf);
    }

    /** Walks up from {@code start} to the directory that holds {@code common/} and {@code deploy/pom.xml}. */
    static Path findRoot(Path start) {
        for (Path dir = start.toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("deploy/pom.xml")) && Files.isDirectory(dir.resolve("common"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no Tollgate repository above " + start.toAbsolutePath());
    }

    Path root() {
        return root;
    }

    Module common() {
        return libraries.get(0);
    }

    /** The libraries, {@code common} first. */
    List<Module> libraries() {
        return libraries;
    }

    /** The libraries on {@code service}'s class path, {@code common} first. */
    List<Module> librariesOf(String service) {
        return librariesOf.getOrDefault(service, List.of(common()));
    }

    static boolean isLibrary(String module) {
        return LIBRARIES.contains(module);
    }

    List<Module> services() {
        return services;
    }

    /** The libraries, then the services. */
    List<Module> modules() {
        List<Module> all = new ArrayList<>(libraries);
        all.addAll(services);
        return all;
    }

    private static Module module(Path root, String name, String propertiesFile, JavaParser parser)
            throws IOException {
        Path dir = root.resolve(name);
        List<SourceFile> sources = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir.resolve("src/main/java"))) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).sorted().collect(Collectors.toList())) {
                String path = relative(root, file);
                ParseResult<CompilationUnit> parsed = parser.parse(Files.readString(file, StandardCharsets.UTF_8));
                if (!parsed.isSuccessful() || parsed.getResult().isEmpty()) {
                    throw new IllegalStateException(path + " does not parse: " + parsed.getProblems());
                }
                sources.add(new SourceFile(name, path, parsed.getResult().get()));
            }
        }
        Path properties = dir.resolve(propertiesFile);
        Map<String, String> values = Files.isRegularFile(properties) ? read(properties) : Map.of();
        return new Module(name, List.copyOf(sources), relative(root, properties), values);
    }

    /** The properties of a file in the order they are written, those of a profile ({@code %test.}) left out. */
    private static Map<String, String> read(Path file) throws IOException {
        Map<String, String> ordered = new LinkedHashMap<>(readInOrder(file));
        ordered.keySet().removeIf(key -> key.startsWith("%"));
        return Collections.unmodifiableMap(ordered);
    }

    /** Every property of a file, profiled ones ({@code %local.}) included, in the order they are written. */
    static Map<String, String> readInOrder(Path file) throws IOException {
        Map<String, String> ordered = new LinkedHashMap<>();
        Properties properties = new Properties() {
            @Override
            public synchronized Object put(Object key, Object value) {
                ordered.put((String) key, (String) value);
                return super.put(key, value);
            }
        };
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            properties.load(reader);
        }
        return ordered;
    }

    private static int port(Module service) {
        String port = service.properties().get("quarkus.http.port");
        return port != null && port.matches("\\d+") ? Integer.parseInt(port) : Integer.MAX_VALUE;
    }

    private static String relative(Path root, Path file) {
        return root.relativize(file).toString().replace('\\', '/');
    }
}
