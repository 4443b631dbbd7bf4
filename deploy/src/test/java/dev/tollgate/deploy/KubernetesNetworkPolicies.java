package dev.tollgate.deploy;

import dev.tollgate.deploy.KubernetesRender.Item;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.LabelSelector;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyIngressRule;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPort;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The NetworkPolicies of one render against who really connects to whom. The callers of a service are not
 * restated: they are the Deployments whose environment (ConfigMaps and variables) names one of its Service's
 * cluster URLs ({@code http://<service>.<namespace>.svc.cluster.local}); the gateway is the namespace of each Gateway
 * whose routes lead to the service; Prometheus is its namespace when a ServiceMonitor scrapes the service. Each
 * namespace with Deployments must deny ingress by default, each service's policy must admit exactly those peers on
 * the container's port, and every caller, route and ServiceMonitor must be admitted, so that a new call without
 * its policy fails here instead of timing out in the cluster.
 */
final class KubernetesNetworkPolicies {

    /** The namespace Prometheus runs in (the Prometheus Operator's usual one; deploy/README.md says so). */
    static final String PROMETHEUS_NAMESPACE = "monitoring";

    /** The label Kubernetes gives every namespace, its name. */
    static final String NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

    private static final Pattern CLUSTER_URL = Pattern
            .compile("(https?)://([a-z0-9-]+)\\.([a-z0-9-]+)\\.svc\\.cluster\\.local(?::(\\d+))?");

    private final KubernetesRender render;
    private final List<String> problems = new ArrayList<>();
    private final Map<String, Set<String>> callers = new HashMap<>();
    private final Map<String, Set<String>> gatewayNamespaces = new HashMap<>();
    private final Set<String> scraped = new LinkedHashSet<>();

    private KubernetesNetworkPolicies(KubernetesRender render, Function<String, Set<String>> secretKeys) {
        this.render = render;
        Set<String> suiteNamespaces = new HashSet<>();
        render.all(Namespace.class).forEach(namespace -> suiteNamespaces.add(namespace.name()));
        if (suiteNamespaces.isEmpty()) {
            throw new IllegalStateException(render.name() + " creates no Namespace: the suite's calls cannot be told");
        }
        for (Item<Deployment> caller : render.all(Deployment.class)) {
            Map<String, String> origins = new HashMap<>();
            render.environment(caller, secretKeys, origins).forEach((variable, value) -> {
                Matcher url = CLUSTER_URL.matcher(value);
                while (url.find()) {
                    // a namespace the manifests do not create holds what the operator runs beside the suite (a
                    // trace collector): no policy of the suite's admits or refuses calls to it
                    if (suiteNamespaces.contains(url.group(3))) {
                        call(caller, variable + " (" + origins.get(variable) + ")", url);
                    }
                }
            });
        }
        for (Item<HTTPRoute> route : render.all(HTTPRoute.class)) {
            for (HTTPRouteRule rule : route.model().getSpec().getRules()) {
                for (HTTPBackendRef backend : rule.getBackendRefs()) {
                    String namespace = backend.getNamespace() == null ? route.namespace() : backend.getNamespace();
                    Item<Service> service = render.find(Service.class, namespace, backend.getName());
                    for (Item<Deployment> deployment : service == null ? List.<Item<Deployment>> of()
                            : render.podsOf(service)) {
                        for (ParentReference parent : route.model().getSpec().getParentRefs()) {
                            gatewayNamespaces.computeIfAbsent(deployment.name(), key -> new TreeSet<>())
                                    .add(parent.getNamespace() == null ? route.namespace() : parent.getNamespace());
                        }
                    }
                }
            }
        }
        for (Item<ServiceMonitor> monitor : render.all(ServiceMonitor.class)) {
            render.monitored(monitor).forEach(service -> render.podsOf(service)
                    .forEach(deployment -> scraped.add(deployment.name())));
        }
    }

    /** What is wrong with the NetworkPolicies of {@code render}, each naming the policy or Deployment. */
    static List<String> check(KubernetesRender render, Function<String, Set<String>> secretKeys) {
        KubernetesNetworkPolicies policies = new KubernetesNetworkPolicies(render, secretKeys);
        policies.checkPolicies();
        return policies.problems;
    }

    private void call(Item<Deployment> caller, String origin, Matcher url) {
        int port = url.group(4) != null ? Integer.parseInt(url.group(4)) : url.group(1).equals("https") ? 443 : 80;
        Item<Service> service = render.service(url.group(3), url.group(2), port);
        List<Item<Deployment>> callees = service == null ? List.of() : render.podsOf(service);
        if (callees.size() != 1) {
            problems.add(render.name() + ": " + origin + " names " + url.group()
                    + ", which no Service port of one Deployment answers");
        } else if (!callees.get(0).name().equals(caller.name())) {
            callers.computeIfAbsent(callees.get(0).name(), key -> new TreeSet<>()).add(caller.name());
        }
    }

    private void checkPolicies() {
        Set<String> denied = new LinkedHashSet<>();
        Map<String, Set<String>> admitted = new HashMap<>();
        for (Item<NetworkPolicy> policy : render.all(NetworkPolicy.class)) {
            String where = render.name() + ": " + policy.describe();
            var spec = policy.model().getSpec();
            if (!spec.getPolicyTypes().contains("Ingress")) {
                problems.add(where + ": does not govern Ingress");
            }
            if (KubernetesRender.isEmpty(spec.getPodSelector())) {
                if (spec.getIngress().isEmpty()) {
                    denied.add(policy.namespace());
                } else {
                    problems.add(where + ": admits traffic to every pod of " + policy.namespace());
                }
                continue;
            }
            List<Item<Deployment>> selected = render.deployments(policy.namespace(), spec.getPodSelector());
            if (selected.size() != 1) {
                problems.add(where + ": selects the pods of " + KubernetesRender.names(selected)
                        + ", not of one Deployment");
                continue;
            }
            Item<Deployment> target = selected.get(0);
            Set<String> admits = admitted.computeIfAbsent(target.name(), key -> new LinkedHashSet<>());
            for (NetworkPolicyIngressRule rule : spec.getIngress()) {
                rule(where, policy, target, rule, admits);
            }
        }
        for (Item<Deployment> deployment : render.all(Deployment.class)) {
            String where = render.name() + ": " + deployment.describe();
            Set<String> admits = admitted.getOrDefault(deployment.name(), Set.of());
            if (!denied.contains(deployment.namespace())) {
                problems.add(where + ": its namespace has no NetworkPolicy that denies ingress by default");
            }
            for (String caller : callers.getOrDefault(deployment.name(), Set.of())) {
                if (!admits.contains("pods " + caller)) {
                    problems.add(where + ": " + caller + " calls it, but no NetworkPolicy admits " + caller);
                }
            }
            for (String namespace : gatewayNamespaces.getOrDefault(deployment.name(), Set.of())) {
                if (!admits.contains("namespace " + namespace)) {
                    problems.add(where + ": the gateway routes to it, but no NetworkPolicy admits namespace "
                            + namespace);
                }
            }
            if (scraped.contains(deployment.name()) && !admits.contains("namespace " + PROMETHEUS_NAMESPACE)) {
                problems.add(where + ": a ServiceMonitor scrapes it, but no NetworkPolicy admits Prometheus ("
                        + PROMETHEUS_NAMESPACE + ")");
            }
        }
    }

    private void rule(String where, Item<NetworkPolicy> policy, Item<Deployment> target, NetworkPolicyIngressRule rule,
            Set<String> admits) {
        Container container = KubernetesRender.container(target.model());
        if (rule.getPorts().isEmpty()) {
            problems.add(where + ": a rule admits every port");
        }
        for (NetworkPolicyPort port : rule.getPorts()) {
            if (!KubernetesRender.isPortOf(port.getPort(), container)) {
                problems.add(where + ": admits port " + port.getPort() + ", which is no port of " + target.describe());
            }
        }
        if (rule.getFrom().isEmpty()) {
            problems.add(where + ": a rule admits every source");
        }
        for (NetworkPolicyPeer peer : rule.getFrom()) {
            for (String admittedPeer : peer(policy, target, peer)) {
                if (admittedPeer.startsWith("!")) {
                    problems.add(where + ": " + admittedPeer.substring(1));
                } else {
                    admits.add(admittedPeer);
                }
            }
        }
    }

    /**
     * What a peer admits, as {@code pods <deployment>} or {@code namespace <name>}, or a problem starting with
     * {@code !}: a peer may be the gateway's namespace (when a route leads to the target), Prometheus' namespace
     * (when a ServiceMonitor scrapes it) or pods of the policy's namespace that call the target, nothing else.
     */
    private List<String> peer(Item<NetworkPolicy> policy, Item<Deployment> target, NetworkPolicyPeer peer) {
        if (peer.getIpBlock() != null) {
            return List.of("!admits the addresses " + peer.getIpBlock().getCidr());
        }
        if (peer.getNamespaceSelector() != null) {
            Map<String, String> labels = peer.getNamespaceSelector().getMatchLabels();
            String namespace = labels == null || labels.size() != 1
                    || !peer.getNamespaceSelector().getMatchExpressions().isEmpty() ? null
                            : labels.get(NAMESPACE_NAME_LABEL);
            if (namespace == null) {
                return List.of("!admits namespaces by " + describe(peer.getNamespaceSelector()) + ", not one by its "
                        + NAMESPACE_NAME_LABEL);
            }
            boolean gateway = gatewayNamespaces.getOrDefault(target.name(), Set.of()).contains(namespace)
                    && peer.getPodSelector() == null;
            boolean prometheus = namespace.equals(PROMETHEUS_NAMESPACE) && scraped.contains(target.name());
            return List.of(gateway || prometheus ? "namespace " + namespace
                    : "!admits namespace " + namespace + ", which is neither the gateway's nor Prometheus'");
        }
        LabelSelector pods = peer.getPodSelector();
        List<Item<Deployment>> selected = render.deployments(policy.namespace(), pods);
        if (pods == null || KubernetesRender.isEmpty(pods) || selected.isEmpty()) {
            return List.of("!admits pods " + describe(pods) + " (" + KubernetesRender.names(selected)
                    + "), not the pods of callers");
        }
        List<String> admitted = new ArrayList<>();
        for (Item<Deployment> caller : selected) {
            admitted.add(callers.getOrDefault(target.name(), Set.of()).contains(caller.name())
                    ? "pods " + caller.name()
                    : "!admits " + caller.name() + ", whose configuration names no URL of " + target.name());
        }
        return admitted;
    }

    /** A label selector as {@code [a=b, c In [d, e]]}. */
    static String describe(LabelSelector selector) {
        if (selector == null) {
            return "none";
        }
        List<String> terms = new ArrayList<>();
        if (selector.getMatchLabels() != null) {
            selector.getMatchLabels().forEach((key, value) -> terms.add(key + "=" + value));
        }
        selector.getMatchExpressions().forEach(requirement -> terms.add(requirement.getKey() + " "
                + requirement.getOperator() + " " + requirement.getValues()));
        return terms.toString();
    }
}
