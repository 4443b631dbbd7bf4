package dev.tollgate.deploy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The JSON patch operations (RFC 6902) the kustomizations use, applied to plain YAML values: {@code add},
 * {@code replace} and {@code remove}. A path that does not lead where the operation needs it to (replacing or
 * removing what is not there, adding under a missing parent) is an error, as it is for kustomize, so that a patch
 * written against a field the base no longer has fails instead of changing nothing.
 */
final class KubernetesJsonPatch {

    private static final Set<String> OPERATIONS = Set.of("add", "replace", "remove");

    private KubernetesJsonPatch() {
    }

    /** Applies one operation ({@code op}, {@code path}, {@code value}) to {@code document}. */
    @SuppressWarnings("unchecked")
    static void apply(Map<String, Object> document, Map<String, Object> operation) {
        String op = (String) operation.get("op");
        String path = (String) operation.get("path");
        if (!OPERATIONS.contains(op)) {
            throw new IllegalArgumentException("operation " + op + " is not one of " + OPERATIONS);
        }
        if (path == null || !path.startsWith("/")) {
            throw new IllegalArgumentException(op + " needs a path starting with /, not " + path);
        }
        List<String> segments = new ArrayList<>();
        for (String segment : path.substring(1).split("/", -1)) {
            segments.add(segment.replace("~1", "/").replace("~0", "~"));
        }
        Object parent = document;
        for (String segment : segments.subList(0, segments.size() - 1)) {
            parent = child(parent, segment, path);
        }
        String last = segments.get(segments.size() - 1);
        Object value = KubernetesDocuments.copy(operation.get("value"));
        if (parent instanceof Map<?, ?> map) {
            Map<String, Object> object = (Map<String, Object>) map;
            if (!op.equals("add") && !object.containsKey(last)) {
                throw new IllegalArgumentException(op + " " + path + ": there is no " + last);
            }
            if (op.equals("remove")) {
                object.remove(last);
            } else {
                object.put(last, value);
            }
            return;
        }
        List<Object> list = (List<Object>) parent;
        if (op.equals("add") && last.equals("-")) {
            list.add(value);
            return;
        }
        int index = index(last, path);
        if (index > list.size() || (!op.equals("add") && index == list.size())) {
            throw new IllegalArgumentException(op + " " + path + ": the list has " + list.size() + " items");
        }
        switch (op) {
            case "add" -> list.add(index, value);
            case "replace" -> list.set(index, value);
            default -> list.remove(index);
        }
    }

    private static Object child(Object parent, String segment, String path) {
        Object child = null;
        if (parent instanceof Map<?, ?> map) {
            child = map.get(segment);
        } else if (parent instanceof List<?> list) {
            int index = index(segment, path);
            child = index < list.size() ? list.get(index) : null;
        }
        if (!(child instanceof Map<?, ?>) && !(child instanceof List<?>)) {
            throw new IllegalArgumentException(path + ": " + segment + " is not there");
        }
        return child;
    }

    private static int index(String segment, String path) {
        if (!segment.matches("0|[1-9][0-9]*")) {
            throw new IllegalArgumentException(path + ": " + segment + " is not a list index");
        }
        return Integer.parseInt(segment);
    }
}
