package dev.tollgate.deploy;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Kubernetes YAML into fabric8's object model and says what the model did not understand. Jackson puts a
 * field the model has no place for (a typo, a field at the wrong level, a field of another API version) into the
 * object's {@code additionalProperties}, so a manifest that only reads is not yet a manifest Kubernetes takes: the
 * walk over every getter below finds each such leftover and names its path. A kind this class does not know is an
 * error too, so that no document escapes the check.
 */
final class KubernetesDocuments {

    /** The model class of each {@code apiVersion kind} the manifests may use. */
    static final Map<String, Class<? extends HasMetadata>> KINDS = Map.ofEntries(
            Map.entry("v1 Namespace", Namespace.class),
            Map.entry("v1 ConfigMap", ConfigMap.class),
            Map.entry("v1 Secret", Secret.class),
            Map.entry("v1 Service", Service.class),
            Map.entry("apps/v1 Deployment", Deployment.class),
            Map.entry("autoscaling/v2 HorizontalPodAutoscaler", HorizontalPodAutoscaler.class),
            Map.entry("policy/v1 PodDisruptionBudget", PodDisruptionBudget.class),
            Map.entry("networking.k8s.io/v1 NetworkPolicy", NetworkPolicy.class),
            Map.entry("monitoring.coreos.com/v1 ServiceMonitor", ServiceMonitor.class),
            Map.entry("monitoring.coreos.com/v1 PrometheusRule", PrometheusRule.class),
            Map.entry("gateway.networking.k8s.io/v1 Gateway", Gateway.class),
            Map.entry("gateway.networking.k8s.io/v1 HTTPRoute", HTTPRoute.class));

    static final ObjectMapper YAML = new YAMLMapper(YAMLFactory.builder()
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.ALWAYS_QUOTE_NUMBERS_AS_STRINGS)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .build());

    private KubernetesDocuments() {
    }

    /** The documents of a YAML file as plain maps and lists, empty documents left out. */
    static List<Object> read(Path file) throws IOException {
        List<Object> documents = new ArrayList<>();
        try (JsonParser parser = YAML.getFactory().createParser(Files.newBufferedReader(file))) {
            while (parser.nextToken() != null) {
                Object document = YAML.readValue(parser, Object.class);
                if (document != null) {
                    documents.add(document);
                }
            }
        }
        return documents;
    }

    /** A document that is a Kubernetes object, as a map; throws naming {@code where} when it is not one. */
    @SuppressWarnings("unchecked")
    static Map<String, Object> object(Object document, String where) {
        if (!(document instanceof Map<?, ?> map) || !(map.get("kind") instanceof String)
                || !(map.get("apiVersion") instanceof String)) {
            throw new IllegalArgumentException(where + ": not a Kubernetes object (no apiVersion and kind)");
        }
        return (Map<String, Object>) map;
    }

    /**
     * The document as its model class, or an exception naming {@code where} and everything the model did not take:
     * an unknown kind, a value of the wrong type, or fields left in {@code additionalProperties}.
     */
    static HasMetadata model(Map<String, Object> object, String where) {
        String key = object.get("apiVersion") + " " + object.get("kind");
        Class<? extends HasMetadata> type = KINDS.get(key);
        if (type == null) {
            throw new IllegalArgumentException(where + ": unknown kind " + key + "; known: "
                    + KINDS.keySet().stream().sorted().toList());
        }
        HasMetadata model;
        try {
            model = YAML.convertValue(object, type);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": does not read as " + key + ": " + e.getMessage(), e);
        }
        List<String> leftovers = new ArrayList<>();
        leftovers(model, "", leftovers);
        if (!leftovers.isEmpty()) {
            throw new IllegalArgumentException(where + ": " + key + " has fields the model does not know: "
                    + String.join(", ", leftovers));
        }
        return model;
    }

    /** The model of {@code object}, cast to {@code type}. */
    static <T extends HasMetadata> T model(Map<String, Object> object, String where, Class<T> type) {
        return type.cast(model(object, where));
    }

    /** Adds the path of every non-empty {@code additionalProperties} under {@code value} to {@code out}. */
    static void leftovers(Object value, String path, List<String> out) {
        if (value instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                leftovers(list.get(i), path + "[" + i + "]", out);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((key, entry) -> leftovers(entry, path + "[" + key + "]", out));
            return;
        }
        if (value == null || !value.getClass().getName().startsWith("io.fabric8.")) {
            return;
        }
        List<Method> getters = Arrays.stream(value.getClass().getMethods())
                .filter(method -> method.getParameterCount() == 0 && !Modifier.isStatic(method.getModifiers()))
                .filter(method -> method.getName().startsWith("get") && !method.getName().equals("getClass"))
                .sorted(Comparator.comparing(Method::getName)).toList();
        for (Method getter : getters) {
            Object child;
            try {
                child = getter.invoke(value);
            } catch (IllegalAccessException | InvocationTargetException e) {
                Throwable cause = e.getCause() == null ? e : e.getCause();
                out.add(path + " (" + getter.getName() + ": " + cause.getMessage() + ")");
                continue;
            }
            if (getter.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(key -> out.add((path.isEmpty() ? "" : path + ".") + key));
                }
                continue;
            }
            String name = getter.getName().substring(3);
            leftovers(child, (path.isEmpty() ? "" : path + ".") + Character.toLowerCase(name.charAt(0))
                    + name.substring(1), out);
        }
    }

    /** A deep copy of plain YAML values (maps, lists, scalars), maps keeping their order. */
    @SuppressWarnings("unchecked")
    static <T> T copy(T value) {
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> copy = new LinkedHashMap<>();
            map.forEach((key, entry) -> copy.put((String) key, copy(entry)));
            return (T) copy;
        }
        if (value instanceof List<?> list) {
            List<Object> copy = new ArrayList<>();
            list.forEach(entry -> copy.add(copy(entry)));
            return (T) copy;
        }
        return value;
    }

    /** The value at a dotted path of plain maps ({@code metadata.name}), or null. */
    static Object at(Map<String, Object> object, String dottedPath) {
        Object current = object;
        for (String segment : dottedPath.split("\\.")) {
            if (!(current instanceof Map<?, ?> map)) {
                return null;
            }
            current = map.get(segment);
        }
        return current;
    }

    /** Plain YAML values as text, the way the committed manifests are written. */
    static String write(Object value) {
        try {
            return YAML.writeValueAsString(value);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
