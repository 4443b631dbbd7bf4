package dev.tollgate.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The manifests quarkus-kubernetes writes for a service when it is packaged ({@code target/kubernetes/kubernetes.yml}:
 * a Deployment, a Service and a ServiceMonitor, from the {@code quarkus.kubernetes.*} properties at the end of its
 * application.properties) against their copies under {@code deploy/k8s/base/<service>/}. The copies are those
 * documents as written, less the {@code app.quarkus.io/*} annotations (the Quarkus version that wrote them), and
 * must not drift: a changed property, or a Quarkus upgrade that generates something else, fails until the copies
 * are written again, which {@link #compare} does when asked to.
 */
final class KubernetesGenerated {

    /** The file under deploy/k8s/base/<service>/ that holds each kind quarkus-kubernetes generates. */
    static final Map<String, String> FILES = Map.of("Deployment", "deployment.yaml", "Service", "service.yaml",
            "ServiceMonitor", "service-monitor.yaml");

    private static final String QUARKUS_ANNOTATIONS = "app.quarkus.io/";

    private KubernetesGenerated() {
    }

    /** How to write the copies again. */
    static String regenerate(String module) {
        return "./mvnw -pl " + module + " -am package -DskipTests, then ./mvnw -pl deploy test "
                + "-Dtest=KubernetesManifestsTest -Dtollgate.k8s.write=true";
    }

    /**
     * What differs between {@code module}'s generated manifests and the copies in {@code base}/{@code folder}, each
     * difference named with its path; with {@code write}, the copies are written from the generated ones first.
     */
    static List<String> compare(Path root, Path base, String module, String folder, boolean write)
            throws IOException {
        Path generated = root.resolve(module).resolve("target/kubernetes/kubernetes.yml");
        String source = module + "/target/kubernetes/kubernetes.yml";
        List<String> problems = new ArrayList<>();
        if (!Files.isRegularFile(generated)) {
            problems.add(source + " does not exist: package the service first (" + regenerate(module) + ")");
            return problems;
        }
        for (String input : List.of("src/main/resources/application.properties", "pom.xml")) {
            Path file = root.resolve(module).resolve(input);
            if (Files.getLastModifiedTime(file).compareTo(Files.getLastModifiedTime(generated)) > 0) {
                problems.add(source + " is older than " + module + "/" + input + ": package the service again ("
                        + regenerate(module) + ")");
                return problems;
            }
        }
        Set<String> files = new LinkedHashSet<>();
        for (Object document : KubernetesDocuments.read(generated)) {
            Map<String, Object> object = KubernetesDocuments.object(document, source);
            String kind = (String) object.get("kind");
            String file = FILES.get(kind);
            if (file == null) {
                problems.add(source + " holds a " + kind + ", which deploy/k8s/base/" + folder
                        + " has no file for; KubernetesGenerated.FILES names one per generated kind");
                continue;
            }
            files.add(file);
            withoutQuarkusAnnotations(object);
            Path copy = base.resolve(folder).resolve(file);
            String where = "deploy/k8s/base/" + folder + "/" + file;
            if (write) {
                Files.writeString(copy, header(module) + KubernetesDocuments.write(object), StandardCharsets.UTF_8);
            }
            if (!Files.isRegularFile(copy)) {
                problems.add(where + " does not exist; write it from " + source + ": " + regenerate(module));
                continue;
            }
            List<Object> committed = KubernetesDocuments.read(copy);
            Object normalized = committed.size() == 1 ? withoutQuarkusAnnotations(committed.get(0)) : committed;
            String difference = difference(normalized, object, "");
            if (difference != null) {
                problems.add(where + " is not what quarkus-kubernetes generates (" + source + "): " + difference
                        + "; regenerate with " + regenerate(module));
            }
        }
        for (String file : FILES.values()) {
            if (!files.contains(file) && Files.exists(base.resolve(folder).resolve(file))) {
                problems.add("deploy/k8s/base/" + folder + "/" + file + " is no longer generated (" + source
                        + " has no such document): delete it or change the quarkus.kubernetes.* properties");
            }
        }
        return problems;
    }

    /** The comment that marks a copy as generated. */
    static String header(String module) {
        return "# Generated by quarkus-kubernetes from the quarkus.kubernetes.* properties of\n"
                + "# " + module + "/src/main/resources/application.properties: do not edit. To write it again:\n"
                + "#   ./mvnw -pl " + module + " -am package -DskipTests\n"
                + "#   ./mvnw -pl deploy test -Dtest=KubernetesManifestsTest -Dtollgate.k8s.write=true\n";
    }

    /** {@code value} without any {@code app.quarkus.io/*} annotation (nor annotations left empty by that). */
    @SuppressWarnings("unchecked")
    static Object withoutQuarkusAnnotations(Object value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> object = (Map<String, Object>) map;
            if (object.get("annotations") instanceof Map<?, ?> annotations) {
                annotations.keySet().removeIf(key -> ((String) key).startsWith(QUARKUS_ANNOTATIONS));
                if (annotations.isEmpty()) {
                    object.remove("annotations");
                }
            }
            object.values().forEach(KubernetesGenerated::withoutQuarkusAnnotations);
        } else if (value instanceof List<?> list) {
            list.forEach(KubernetesGenerated::withoutQuarkusAnnotations);
        }
        return value;
    }

    /** Where {@code committed} first differs from {@code generated}, or null when they are equal. */
    static String difference(Object committed, Object generated, String path) {
        String at = path.isEmpty() ? "the document" : path;
        if (committed instanceof Map<?, ?> left && generated instanceof Map<?, ?> right) {
            Set<Object> keys = new LinkedHashSet<>(right.keySet());
            keys.addAll(left.keySet());
            for (Object key : keys) {
                String child = path.isEmpty() ? String.valueOf(key) : path + "." + key;
                if (!left.containsKey(key)) {
                    return child + " is generated but missing here";
                }
                if (!right.containsKey(key)) {
                    return child + " is here but not generated";
                }
                String difference = difference(left.get(key), right.get(key), child);
                if (difference != null) {
                    return difference;
                }
            }
            return null;
        }
        if (committed instanceof List<?> left && generated instanceof List<?> right) {
            if (left.size() != right.size()) {
                return at + " has " + left.size() + " items here, " + right.size() + " generated";
            }
            for (int i = 0; i < left.size(); i++) {
                String difference = difference(left.get(i), right.get(i), path + "[" + i + "]");
                if (difference != null) {
                    return difference;
                }
            }
            return null;
        }
        return Objects.equals(committed, generated) ? null
                : at + " is " + committed + " here, " + generated + " generated";
    }
}
