package dev.tollgate.deploy;

import dev.tollgate.deploy.KubernetesKustomize.Resource;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.LabelSelectorRequirement;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Function;

/**
 * One render of the manifests (base or an overlay, as {@link KubernetesKustomize} makes it) read into the model,
 * with the lookups the checks share: objects by kind, namespace and name, label selectors evaluated as Kubernetes
 * evaluates them ({@code matchLabels} and {@code matchExpressions}), the pods a selector picks, a container's
 * port, and the environment a container starts with.
 */
final class KubernetesRender {

    /** An object of the render and its model. */
    record Item<T extends HasMetadata>(Resource resource, T model) {

        String name() {
            return model.getMetadata().getName();
        }

        /** Its namespace; every namespaced object in the manifests names its own. */
        String namespace() {
            return model.getMetadata().getNamespace();
        }

        String describe() {
            return resource.describe();
        }
    }

    private final String name;
    private final List<Item<? extends HasMetadata>> items = new ArrayList<>();

    /** Reads {@code resources} into the model; what does not read is added to {@code problems} and left out. */
    KubernetesRender(String name, List<Resource> resources, List<String> problems) {
        this.name = name;
        for (Resource resource : resources) {
            try {
                items.add(new Item<>(resource, KubernetesDocuments.model(resource.body(), resource.describe())));
            } catch (IllegalArgumentException e) {
                problems.add(name + ": " + e.getMessage());
            }
        }
    }

    /** {@code base}, {@code overlays/dev}, ... */
    String name() {
        return name;
    }

    /** Every object of {@code type}. */
    @SuppressWarnings("unchecked")
    <T extends HasMetadata> List<Item<T>> all(Class<T> type) {
        List<Item<T>> found = new ArrayList<>();
        for (Item<? extends HasMetadata> item : items) {
            if (type.isInstance(item.model())) {
                found.add((Item<T>) item);
            }
        }
        return found;
    }

    /** The object of {@code type} named {@code name} in {@code namespace}, or null. */
    <T extends HasMetadata> Item<T> find(Class<T> type, String namespace, String name) {
        return all(type).stream().filter(item -> Objects.equals(item.namespace(), namespace)
                && item.name().equals(name)).findFirst().orElse(null);
    }

    /** The Deployments in {@code namespace} whose pods {@code selector} picks. */
    List<Item<Deployment>> deployments(String namespace, LabelSelector selector) {
        return all(Deployment.class).stream().filter(item -> Objects.equals(item.namespace(), namespace)
                && selects(selector, podLabels(item.model()))).toList();
    }

    /** The Deployments in {@code namespace} whose pods a Service's {@code selector} (plain labels) picks. */
    List<Item<Deployment>> deployments(String namespace, Map<String, String> selector) {
        if (selector == null || selector.isEmpty()) {
            return List.of();
        }
        return all(Deployment.class).stream().filter(item -> Objects.equals(item.namespace(), namespace)
                && podLabels(item.model()).entrySet().containsAll(selector.entrySet())).toList();
    }

    /** The Deployments whose pods {@code service} sends its traffic to. */
    List<Item<Deployment>> podsOf(Item<Service> service) {
        return deployments(service.namespace(), service.model().getSpec().getSelector());
    }

    /** The Services in its namespace that {@code monitor} scrapes. */
    List<Item<Service>> monitored(Item<ServiceMonitor> monitor) {
        return all(Service.class).stream().filter(service -> Objects.equals(service.namespace(), monitor.namespace())
                && selects(monitor.model().getSpec().getSelector(), labels(service.model().getMetadata().getLabels())))
                .toList();
    }

    /** The names of {@code items}, for messages. */
    static String names(List<? extends Item<?>> items) {
        return items.stream().map(Item::name).toList().toString();
    }

    static Map<String, String> labels(Map<String, String> labels) {
        return labels == null ? Map.of() : labels;
    }

    static Map<String, String> podLabels(Deployment deployment) {
        return labels(deployment.getSpec().getTemplate().getMetadata().getLabels());
    }

    /** Whether {@code selector} picks an object with {@code labels}; an empty selector picks all, none picks none. */
    static boolean selects(LabelSelector selector, Map<String, String> labels) {
        if (selector == null) {
            return false;
        }
        if (selector.getMatchLabels() != null
                && !labels.entrySet().containsAll(selector.getMatchLabels().entrySet())) {
            return false;
        }
        for (LabelSelectorRequirement requirement : selector.getMatchExpressions()) {
            String value = labels.get(requirement.getKey());
            boolean met = switch (requirement.getOperator()) {
                case "In" -> value != null && requirement.getValues().contains(value);
                case "NotIn" -> value == null || !requirement.getValues().contains(value);
                case "Exists" -> value != null;
                case "DoesNotExist" -> value == null;
                default -> throw new IllegalArgumentException("unknown selector operator " + requirement.getOperator());
            };
            if (!met) {
                return false;
            }
        }
        return true;
    }

    /** Whether {@code selector} has neither labels nor expressions, so that it picks everything. */
    static boolean isEmpty(LabelSelector selector) {
        return selector != null && (selector.getMatchLabels() == null || selector.getMatchLabels().isEmpty())
                && selector.getMatchExpressions().isEmpty();
    }

    /** The container of a Deployment (the manifests run one per pod). */
    static Container container(Deployment deployment) {
        return deployment.getSpec().getTemplate().getSpec().getContainers().get(0);
    }

    /** Whether {@code port} (a number or a port's name) is a port of {@code container}. */
    static boolean isPortOf(IntOrString port, Container container) {
        if (port == null) {
            return false;
        }
        for (ContainerPort candidate : container.getPorts()) {
            if (Objects.equals(port.getIntVal(), candidate.getContainerPort())
                    || (port.getStrVal() != null && port.getStrVal().equals(candidate.getName()))) {
                return true;
            }
        }
        return false;
    }

    /** The Service in {@code namespace} named {@code name} that has {@code port}, or null. */
    Item<Service> service(String namespace, String name, int port) {
        Item<Service> service = find(Service.class, namespace, name);
        return service != null && service.model().getSpec().getPorts().stream()
                .anyMatch(candidate -> candidate.getPort() == port) ? service : null;
    }

    /**
     * The environment {@code deployment}'s container starts with, by variable: ConfigMap entries ({@code envFrom})
     * with their values, then its {@code env}, whose values win; a value from a Secret is given as
     * {@code <secret name/key>}, and a Secret loaded whole is given by the keys {@code secretKeys} knows. Where each
     * variable comes from goes into {@code origins}.
     */
    Map<String, String> environment(Item<Deployment> deployment, Function<String, Set<String>> secretKeys,
            Map<String, String> origins) {
        Map<String, String> environment = new LinkedHashMap<>();
        Container container = container(deployment.model());
        for (EnvFromSource source : container.getEnvFrom()) {
            if (source.getConfigMapRef() != null) {
                Item<ConfigMap> configMap = find(ConfigMap.class, deployment.namespace(),
                        source.getConfigMapRef().getName());
                if (configMap != null && configMap.model().getData() != null) {
                    configMap.model().getData().forEach((key, value) -> {
                        environment.put(key, value);
                        origins.put(key, "ConfigMap " + configMap.name() + " (" + configMap.resource().source() + ")");
                    });
                }
            }
            if (source.getSecretRef() != null) {
                String secret = source.getSecretRef().getName();
                for (String key : secretKeys.apply(deployment.namespace() + "/" + secret)) {
                    environment.put(key, "<secret " + secret + "/" + key + ">");
                    origins.put(key, "Secret " + secret);
                }
            }
        }
        for (EnvVar variable : container.getEnv()) {
            String value = variable.getValue();
            String origin = "env of " + deployment.describe();
            if (variable.getValueFrom() != null && variable.getValueFrom().getSecretKeyRef() != null) {
                value = "<secret " + variable.getValueFrom().getSecretKeyRef().getName() + "/"
                        + variable.getValueFrom().getSecretKeyRef().getKey() + ">";
            } else if (variable.getValueFrom() != null && variable.getValueFrom().getConfigMapKeyRef() != null) {
                Item<ConfigMap> configMap = find(ConfigMap.class, deployment.namespace(),
                        variable.getValueFrom().getConfigMapKeyRef().getName());
                value = configMap == null || configMap.model().getData() == null ? null
                        : configMap.model().getData().get(variable.getValueFrom().getConfigMapKeyRef().getKey());
            } else if (variable.getValueFrom() != null) {
                value = "<from the pod>";
            }
            environment.put(variable.getName(), value == null ? "" : value);
            origins.put(variable.getName(), origin);
        }
        return environment;
    }
}
