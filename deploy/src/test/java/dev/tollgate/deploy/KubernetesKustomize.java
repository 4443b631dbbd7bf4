package dev.tollgate.deploy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What {@code kubectl apply -k} would apply, worked out without kustomize (there is no kustomize binary on the
 * machines that run the tests): the resources of a kustomization, its bases' included, with the patches,
 * {@code replicas}, {@code images} and {@code configMapGenerator} entries applied. It understands only the part of
 * kustomize the manifests use, and reports everything else (an unknown field, a strategic-merge patch, a generator
 * with a hashed name) instead of skipping it, so that what it renders is what kustomize renders. Every path a
 * kustomization names must exist, and every patch, replica count and image must change something.
 */
final class KubernetesKustomize {

    private static final Set<String> FIELDS = Set.of("apiVersion", "kind", "resources", "patches", "replicas",
            "images", "configMapGenerator");

    /** One object of a render: where it was written (relative to deploy/k8s) and its content, patched. */
    record Resource(String source, Map<String, Object> body) {

        String kind() {
            return (String) body.get("kind");
        }

        String apiVersion() {
            return (String) body.get("apiVersion");
        }

        String name() {
            return (String) KubernetesDocuments.at(body, "metadata.name");
        }

        String namespace() {
            return (String) KubernetesDocuments.at(body, "metadata.namespace");
        }

        /** How a message names it: {@code Deployment tollgate/auth-service (base/auth/deployment.yaml)}. */
        String describe() {
            return kind() + " " + (namespace() == null ? "" : namespace() + "/") + name() + " (" + source + ")";
        }
    }

    private final Path k8s;
    private final Set<Path> read = new LinkedHashSet<>();
    private final List<String> problems = new ArrayList<>();

    KubernetesKustomize(Path k8s) {
        this.k8s = k8s.toAbsolutePath().normalize();
    }

    /** The files any render so far has read: kustomizations, resources, patches, generator inputs. */
    Set<Path> filesRead() {
        return read;
    }

    /** What the renders so far found wrong, each naming the kustomization and the entry. */
    List<String> problems() {
        return problems;
    }

    /** The objects {@code dir}'s kustomization.yaml makes. */
    List<Resource> render(Path dir) throws IOException {
        dir = dir.toAbsolutePath().normalize();
        Path file = dir.resolve("kustomization.yaml");
        String where = relative(file);
        if (!Files.isRegularFile(file)) {
            problems.add(relative(dir) + ": has no kustomization.yaml");
            return List.of();
        }
        read.add(file);
        Map<String, Object> kustomization = KubernetesDocuments.object(single(file), where);
        if (!"kustomize.config.k8s.io/v1beta1".equals(kustomization.get("apiVersion"))
                || !"Kustomization".equals(kustomization.get("kind"))) {
            problems.add(where + ": not a kustomize.config.k8s.io/v1beta1 Kustomization");
        }
        kustomization.keySet().stream().filter(key -> !FIELDS.contains(key))
                .forEach(key -> problems.add(where + ": field " + key + " is not one this check understands (" + FIELDS + ")"));
        List<Resource> resources = new ArrayList<>();
        for (Object entry : list(kustomization, "resources", where)) {
            Path path = dir.resolve((String) entry).normalize();
            if (Files.isDirectory(path)) {
                resources.addAll(render(path));
            } else if (Files.isRegularFile(path)) {
                read.add(path);
                for (Object document : KubernetesDocuments.read(path)) {
                    resources.add(new Resource(relative(path),
                            KubernetesDocuments.copy(KubernetesDocuments.object(document, relative(path)))));
                }
            } else {
                problems.add(where + ": resource " + entry + " does not exist");
            }
        }
        for (Object entry : list(kustomization, "configMapGenerator", where)) {
            generate(dir, where, map(entry), resources);
        }
        for (Object entry : list(kustomization, "patches", where)) {
            patch(dir, where, map(entry), resources);
        }
        for (Object entry : list(kustomization, "replicas", where)) {
            replicas(where, map(entry), resources);
        }
        for (Object entry : list(kustomization, "images", where)) {
            images(where, map(entry), resources);
        }
        return resources;
    }

    private void generate(Path dir, String where, Map<String, Object> generator, List<Resource> out)
            throws IOException {
        Map<String, Object> options = map(generator.getOrDefault("options", Map.of()));
        if (!Boolean.TRUE.equals(options.get("disableNameSuffixHash"))) {
            problems.add(where + ": configMapGenerator " + generator.get("name")
                    + " has a hashed name, which this check does not follow; set options.disableNameSuffixHash");
        }
        Map<String, Object> data = new LinkedHashMap<>();
        for (Object entry : list(generator, "files", where)) {
            String spec = (String) entry;
            String key = spec.contains("=") ? spec.substring(0, spec.indexOf('='))
                    : Path.of(spec).getFileName()
                            .toString();
            Path path = dir.resolve(spec.contains("=") ? spec.substring(spec.indexOf('=') + 1) : spec).normalize();
            if (!Files.isRegularFile(path)) {
                problems.add(where + ": configMapGenerator " + generator.get("name") + " reads " + spec
                        + ", which does not exist");
                continue;
            }
            read.add(path);
            data.put(key, Files.readString(path, StandardCharsets.UTF_8));
        }
        for (Object entry : list(generator, "literals", where)) {
            String literal = (String) entry;
            data.put(literal.substring(0, literal.indexOf('=')), literal.substring(literal.indexOf('=') + 1));
        }
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("name", generator.get("name"));
        if (generator.get("namespace") != null) {
            metadata.put("namespace", generator.get("namespace"));
        }
        if (options.get("labels") != null) {
            metadata.put("labels", options.get("labels"));
        }
        if (options.get("annotations") != null) {
            metadata.put("annotations", options.get("annotations"));
        }
        Map<String, Object> configMap = new LinkedHashMap<>();
        configMap.put("apiVersion", "v1");
        configMap.put("kind", "ConfigMap");
        configMap.put("metadata", metadata);
        configMap.put("data", data);
        out.add(new Resource(where + " (configMapGenerator)", configMap));
    }

    private void patch(Path dir, String where, Map<String, Object> entry, List<Resource> resources)
            throws IOException {
        Object content;
        String name;
        if (entry.get("path") != null) {
            Path path = dir.resolve((String) entry.get("path")).normalize();
            name = relative(path);
            if (!Files.isRegularFile(path)) {
                problems.add(where + ": patch " + entry.get("path") + " does not exist");
                return;
            }
            read.add(path);
            content = single(path);
        } else if (entry.get("patch") instanceof String inline) {
            name = where + " (inline patch)";
            content = KubernetesDocuments.YAML.readValue(inline, Object.class);
        } else {
            problems.add(where + ": a patch needs a path or a patch");
            return;
        }
        if (!(content instanceof List<?> operations)) {
            problems.add(name + ": a strategic-merge patch, which this check does not apply; write a JSON patch "
                    + "(a list of op/path/value) with a target");
            return;
        }
        if (!(entry.get("target") instanceof Map<?, ?>)) {
            problems.add(where + ": JSON patch " + name + " has no target");
            return;
        }
        Map<String, Object> target = map(entry.get("target"));
        List<Resource> targets = resources.stream().filter(resource -> targets(target, resource)).toList();
        if (targets.isEmpty()) {
            problems.add(where + ": patch " + name + " targets " + target + ", which nothing in "
                    + relative(dir) + " is");
        }
        for (Resource resource : targets) {
            for (Object operation : operations) {
                try {
                    KubernetesJsonPatch.apply(resource.body(), map(operation));
                } catch (IllegalArgumentException e) {
                    problems.add(name + ": on " + resource.describe() + ": " + e.getMessage());
                }
            }
        }
    }

    private static boolean targets(Map<String, Object> target, Resource resource) {
        String apiVersion = resource.apiVersion();
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String version = apiVersion.substring(apiVersion.indexOf('/') + 1);
        return matches(target.get("group"), group) && matches(target.get("version"), version)
                && matches(target.get("kind"), resource.kind()) && matches(target.get("name"), resource.name())
                && matches(target.get("namespace"), resource.namespace())
                && labelled(target.get("labelSelector"), resource);
    }

    private static boolean matches(Object wanted, String actual) {
        return wanted == null || Objects.equals(wanted, actual == null ? "" : actual);
    }

    @SuppressWarnings("unchecked")
    private static boolean labelled(Object selector, Resource resource) {
        if (selector == null) {
            return true;
        }
        Map<String, Object> labels = (Map<String, Object>) KubernetesDocuments.at(resource.body(), "metadata.labels");
        for (String requirement : ((String) selector).split(",")) {
            String[] pair = requirement.trim().split("=", 2);
            if (labels == null || pair.length != 2 || !pair[1].equals(labels.get(pair[0]))) {
                return false;
            }
        }
        return true;
    }

    private void replicas(String where, Map<String, Object> entry, List<Resource> resources) {
        List<Resource> found = resources.stream()
                .filter(resource -> resource.kind().equals("Deployment") && resource.name().equals(entry.get("name")))
                .toList();
        if (found.isEmpty()) {
            problems.add(where + ": replicas for " + entry.get("name") + ", which is no Deployment here");
        }
        found.forEach(resource -> map(resource.body().get("spec")).put("replicas", entry.get("count")));
    }

    @SuppressWarnings("unchecked")
    private void images(String where, Map<String, Object> entry, List<Resource> resources) {
        int changed = 0;
        for (Resource resource : resources) {
            Object containers = KubernetesDocuments.at(resource.body(), "spec.template.spec.containers");
            if (!(containers instanceof List<?> list)) {
                continue;
            }
            for (Object item : list) {
                Map<String, Object> container = (Map<String, Object>) item;
                String image = (String) container.get("image");
                String imageName = imageName(image);
                if (!imageName.equals(entry.get("name"))) {
                    continue;
                }
                String name = entry.get("newName") == null ? imageName : (String) entry.get("newName");
                String tag = image.substring(imageName.length());
                if (entry.get("digest") != null) {
                    tag = "@" + entry.get("digest");
                } else if (entry.get("newTag") != null) {
                    tag = ":" + entry.get("newTag");
                }
                container.put("image", name + tag);
                changed++;
            }
        }
        if (changed == 0) {
            problems.add(where + ": images entry " + entry.get("name") + " matches no container's image");
        }
    }

    /** An image reference without its tag or digest: {@code docker.io/tollgate/auth-service}. */
    static String imageName(String image) {
        String name = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        int colon = name.lastIndexOf(':');
        return colon > name.lastIndexOf('/') ? name.substring(0, colon) : name;
    }

    private Object single(Path file) throws IOException {
        List<Object> documents = KubernetesDocuments.read(file);
        if (documents.size() != 1) {
            problems.add(relative(file) + ": holds " + documents.size() + " documents, not one");
        }
        return documents.isEmpty() ? Map.of() : documents.get(0);
    }

    private List<?> list(Map<String, Object> owner, String key, String where) {
        Object value = owner.get(key);
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list)) {
            problems.add(where + ": " + key + " is not a list");
            return List.of();
        }
        return list;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object value) {
        if (!(value instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("not a map: " + value);
        }
        return (Map<String, Object>) value;
    }

    private String relative(Path path) {
        return k8s.relativize(path.toAbsolutePath().normalize()).toString().replace('\\', '/');
    }
}
