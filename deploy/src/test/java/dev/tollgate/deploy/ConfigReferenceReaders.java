package dev.tollgate.deploy;

import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.ImportDeclaration;
import com.github.javaparser.ast.body.ClassOrInterfaceDeclaration;
import com.github.javaparser.ast.body.Parameter;
import com.github.javaparser.ast.body.TypeDeclaration;
import com.github.javaparser.ast.expr.AnnotationExpr;
import com.github.javaparser.ast.expr.Name;
import com.github.javaparser.ast.expr.NameExpr;
import com.github.javaparser.ast.expr.StringLiteralExpr;
import com.github.javaparser.ast.expr.TextBlockLiteralExpr;
import com.github.javaparser.ast.type.ClassOrInterfaceType;
import dev.tollgate.deploy.ConfigReferenceSources.Module;
import dev.tollgate.deploy.ConfigReferenceSources.SourceFile;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which services read each mapping. A service's own mapping is read by that service. A mapping in {@code common}
 * is read by a service when the service's main sources, or the {@code common} classes they reach, name its
 * interface or use one of its properties in a {@code ${...}} expression, or when the properties the service loads
 * (common's shared ones and its own) do. {@code common} classes that run without being called (a scheduled job, a
 * health check, a start-up or event observer, a Kafka consumer, a sampler or span processor of the traces) are
 * reached from every service.
 */
final class ConfigReferenceReaders {

    private static final Set<String> SELF_STARTING = Set.of("Scheduled", "Readiness", "Liveness", "Startup",
            "Observes", "ObservesAsync", "Incoming");
    /** The OpenTelemetry interfaces whose CDI beans Quarkus installs in the tracer: a sampler, a span processor. */
    private static final Set<String> TRACING_HOOKS = Set.of("Sampler", "SpanProcessor");

    private final ConfigReferenceSources sources;
    private final Map<SourceFile, Uses> uses = new HashMap<>();
    private final Map<String, Set<SourceFile>> reached = new HashMap<>();

    ConfigReferenceReaders(ConfigReferenceSources sources) {
        this.sources = sources;
        for (Module module : sources.modules()) {
            for (SourceFile file : module.sources()) {
                uses.put(file, Uses.of(file.unit()));
            }
        }
    }

    /** The services that read {@code mapping}, in port order. */
    List<String> readers(ConfigReferenceMapping mapping) {
        List<String> readers = new ArrayList<>();
        SourceFile declaring = uses.keySet().stream().filter(file -> file.path().equals(mapping.sourcePath()))
                .findFirst().orElseThrow(() -> new IllegalStateException("not among the sources: " + mapping));
        String type = declaring.unit().getPackageDeclaration().map(p -> p.getNameAsString() + ".").orElse("")
                + mapping.interfaceName();
        String expression = "${" + mapping.prefix() + ".";
        for (Module service : sources.services()) {
            if (!ConfigReferenceSources.isLibrary(mapping.module())) {
                if (service.name().equals(mapping.module())) {
                    readers.add(service.name());
                }
                continue;
            }
            List<Module> libraries = sources.librariesOf(service.name());
            if (libraries.stream().noneMatch(library -> library.name().equals(mapping.module()))) {
                continue; // the library is not on the service's class path
            }
            boolean reads = reachedFrom(service).stream()
                    .anyMatch(file -> uses.get(file).names(type) || uses.get(file).text().contains(expression))
                    || service.properties().values().stream().anyMatch(value -> value.contains(expression))
                    || libraries.stream().anyMatch(library -> library.properties().values().stream()
                            .anyMatch(value -> value.contains(expression)));
            if (reads) {
                readers.add(service.name());
            }
        }
        return readers;
    }

    /** The services that run the code of {@code sourcePath}: its own service, or for common those that reach it. */
    List<String> readersOfFile(String module, String sourcePath) {
        List<String> readers = new ArrayList<>();
        for (Module service : sources.services()) {
            boolean reads = ConfigReferenceSources.isLibrary(module)
                    ? reachedFrom(service).stream().anyMatch(file -> file.path().equals(sourcePath))
                    : service.name().equals(module);
            if (reads) {
                readers.add(service.name());
            }
        }
        return readers;
    }

    /**
     * The service's sources and every source of its libraries they reach, starting from the self-starting ones.
     */
    private Set<SourceFile> reachedFrom(Module service) {
        return reached.computeIfAbsent(service.name(), name -> {
            Set<SourceFile> files = new HashSet<>(service.sources());
            List<SourceFile> librarySources = sources.librariesOf(name).stream()
                    .flatMap(library -> library.sources().stream()).toList();
            for (SourceFile file : librarySources) {
                if (uses.get(file).selfStarting()) {
                    files.add(file);
                }
            }
            boolean grew = true;
            while (grew) {
                grew = false;
                for (SourceFile candidate : librarySources) {
                    if (!files.contains(candidate) && declaredTypes(candidate).stream()
                            .anyMatch(type -> files.stream().anyMatch(file -> uses.get(file).names(type)))) {
                        files.add(candidate);
                        grew = true;
                    }
                }
            }
            return files;
        });
    }

    private static List<String> declaredTypes(SourceFile file) {
        String pkg = file.unit().getPackageDeclaration().map(p -> p.getNameAsString() + ".").orElse("");
        List<String> types = new ArrayList<>();
        for (TypeDeclaration<?> type : file.unit().getTypes()) {
            types.add(pkg + type.getNameAsString());
        }
        return types;
    }

    /** What one source file names: its package, imports, the simple names it uses and its string literals. */
    private record Uses(String pkg, Set<String> imports, Set<String> wildcards, Set<String> simpleNames,
            String text, boolean selfStarting) {

        static Uses of(CompilationUnit unit) {
            String pkg = unit.getPackageDeclaration().map(p -> p.getNameAsString()).orElse("");
            Set<String> imports = new HashSet<>();
            Set<String> wildcards = new HashSet<>();
            for (ImportDeclaration declaration : unit.getImports()) {
                String name = declaration.getNameAsString();
                if (declaration.isAsterisk()) {
                    wildcards.add(name);
                } else if (declaration.isStatic()) {
                    imports.add(name.substring(0, name.lastIndexOf('.')));
                } else {
                    imports.add(name);
                }
            }
            Set<String> simpleNames = new HashSet<>();
            for (ClassOrInterfaceType type : unit.findAll(ClassOrInterfaceType.class)) {
                ClassOrInterfaceType outer = type;
                while (outer.getScope().isPresent()) {
                    outer = outer.getScope().get();
                }
                simpleNames.add(outer.getNameAsString());
            }
            unit.findAll(NameExpr.class).forEach(name -> simpleNames.add(name.getNameAsString()));
            for (AnnotationExpr annotation : unit.findAll(AnnotationExpr.class)) {
                Name name = annotation.getName();
                while (name.getQualifier().isPresent()) {
                    name = name.getQualifier().get();
                }
                simpleNames.add(name.getIdentifier());
            }
            StringBuilder text = new StringBuilder();
            unit.findAll(StringLiteralExpr.class).forEach(literal -> text.append(literal.getValue()).append('\n'));
            unit.findAll(TextBlockLiteralExpr.class).forEach(block -> text.append(block.getValue()).append('\n'));
            boolean selfStarting = unit.findAll(AnnotationExpr.class).stream()
                    .anyMatch(annotation -> SELF_STARTING.contains(annotation.getName().getIdentifier())
                            && (!annotation.getName().getIdentifier().startsWith("Observes")
                                    || annotation.getParentNode().filter(Parameter.class::isInstance).isPresent()))
                    // a bean OpenTelemetry takes for each span: Quarkus looks it up, nothing of ours calls it
                    || unit.findAll(ClassOrInterfaceType.class).stream().anyMatch(type -> type.getParentNode()
                            .filter(ClassOrInterfaceDeclaration.class::isInstance).isPresent()
                            && TRACING_HOOKS.contains(type.getNameAsString()));
            return new Uses(pkg, imports, wildcards, simpleNames, text.toString(), selfStarting);
        }

        /** Whether this file names the type {@code qualified} ({@code a.b.Type}), or a type nested in it. */
        boolean names(String qualified) {
            for (String imported : imports) {
                if (imported.equals(qualified) || imported.startsWith(qualified + ".")) {
                    return true;
                }
            }
            int dot = qualified.lastIndexOf('.');
            String typePackage = dot < 0 ? "" : qualified.substring(0, dot);
            String simple = qualified.substring(dot + 1);
            return (pkg.equals(typePackage) || wildcards.contains(typePackage)) && simpleNames.contains(simple);
        }
    }
}
