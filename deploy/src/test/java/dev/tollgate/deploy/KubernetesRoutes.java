package dev.tollgate.deploy;

import dev.tollgate.deploy.KubernetesRender.Item;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPBackendRef;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRoute;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteMatch;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.HTTPRouteRule;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Listener;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.ParentReference;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.RouteNamespaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The HTTPRoutes of one render against the local gateway's table ({@code Gateway.ROUTES} in devstack, path prefix
 * to service): each prefix is matched by exactly one rule, as a PathPrefix, which sends it to a port of that
 * service's Service ({@code <service>-service}); no route matches a prefix the table does not have, except the
 * services' internal endpoints, which a rule without backends holds back; and each route
 * attaches to a Gateway of the render whose listeners admit routes from the route's namespace. A user who learnt
 * the paths on {@code ./tollgate up} finds the same ones in the cluster.
 */
final class KubernetesRoutes {

    private KubernetesRoutes() {
    }

    /**
     * The path prefixes of the services' internal endpoints ({@code /auth/internal}, ...), from the {@code @Path}s
     * of the services' resources under {@code root}.
     */
    static Set<String> internalPrefixes(Path root) throws IOException {
        Pattern internal = Pattern.compile("@Path\\(\"(/[^/\"]+/internal)[/\"]");
        Set<String> prefixes = new TreeSet<>();
        try (Stream<Path> modules = Files.list(root)) {
            for (Path module : modules.filter(dir -> dir.getFileName().toString().endsWith("-service")).toList()) {
                try (Stream<Path> sources = Files.walk(module.resolve("src/main/java"))) {
                    for (Path source : sources.filter(file -> file.toString().endsWith(".java")).toList()) {
                        Matcher matcher = internal.matcher(Files.readString(source));
                        while (matcher.find()) {
                            prefixes.add(matcher.group(1));
                        }
                    }
                }
            }
        }
        return prefixes;
    }

    /**
     * What is wrong with the routes of {@code render}, given the local gateway's {@code routes} and the services'
     * {@code internal} prefixes, which a rule without backends must hold back.
     */
    static List<String> check(KubernetesRender render, Map<String, String> routes, Set<String> internal) {
        List<String> problems = new ArrayList<>();
        Map<String, List<String>> routed = new LinkedHashMap<>();
        Set<String> heldBack = new TreeSet<>();
        for (Item<HTTPRoute> route : render.all(HTTPRoute.class)) {
            String where = render.name() + ": " + route.describe();
            for (ParentReference parent : route.model().getSpec().getParentRefs()) {
                attached(render, route, parent, where, problems);
            }
            for (HTTPRouteRule rule : route.model().getSpec().getRules()) {
                for (HTTPRouteMatch match : rule.getMatches()) {
                    if (match.getPath() == null || !"PathPrefix".equals(match.getPath().getType())) {
                        problems.add(where + ": matches " + match.getPath() + ", not a PathPrefix");
                        continue;
                    }
                    String prefix = match.getPath().getValue();
                    if (rule.getBackendRefs().isEmpty()) {
                        if (!internal.contains(prefix) || !rule.getFilters().isEmpty()) {
                            problems.add(where + ": holds back " + prefix + " without backends; only the services'"
                                    + " internal endpoints " + internal + " are held back, with no filters");
                        }
                        heldBack.add(prefix);
                        continue;
                    }
                    String service = routes.get(prefix);
                    if (service == null) {
                        problems.add(where + ": routes " + prefix + ", which the local gateway does not");
                        continue;
                    }
                    routed.computeIfAbsent(prefix, key -> new ArrayList<>()).add(route.describe());
                    boolean traceStops = rule.getFilters().stream()
                            .anyMatch(filter -> "RequestHeaderModifier".equals(filter.getType())
                                    && filter.getRequestHeaderModifier() != null
                                    && filter.getRequestHeaderModifier().getRemove() != null
                                    && filter.getRequestHeaderModifier().getRemove()
                                            .containsAll(List.of("traceparent", "tracestate")));
                    if (!traceStops) {
                        problems.add(where + ": passes a caller's traceparent and tracestate on to " + prefix
                                + "; a trace begins at the gateway (a RequestHeaderModifier removing both)");
                    }
                    backend(render, route, rule, prefix, service + "-service", where, problems);
                }
            }
        }
        internal.stream().filter(prefix -> !heldBack.contains(prefix)).forEach(prefix -> problems.add(render.name()
                + ": " + prefix + " (internal endpoints, for the services only) is not held back by a rule without"
                + " backends, so the gateway passes it on"));
        routes.keySet().forEach(prefix -> {
            List<String> by = routed.getOrDefault(prefix, List.of());
            if (by.size() != 1) {
                problems.add(render.name() + ": the local gateway's " + prefix + " is routed by " + by
                        + ", not by one route");
            }
        });
        return problems;
    }

    private static void attached(KubernetesRender render, Item<HTTPRoute> route, ParentReference parent,
            String where, List<String> problems) {
        String namespace = parent.getNamespace() == null ? route.namespace() : parent.getNamespace();
        Item<Gateway> gateway = render.find(Gateway.class, namespace, parent.getName());
        if (gateway == null) {
            problems.add(where + ": attaches to Gateway " + namespace + "/" + parent.getName() + ", which "
                    + render.name() + " does not have");
        } else if (gateway.model().getSpec().getListeners().stream()
                .noneMatch(listener -> admitsRoutesFrom(render, gateway, listener, route.namespace()))) {
            problems.add(where + ": no listener of " + gateway.describe() + " admits routes from "
                    + route.namespace());
        }
    }

    private static void backend(KubernetesRender render, Item<HTTPRoute> route, HTTPRouteRule rule, String prefix,
            String expected, String where, List<String> problems) {
        if (rule.getBackendRefs().size() != 1) {
            problems.add(where + ": " + prefix + " goes to " + rule.getBackendRefs().size() + " backends, not one");
            return;
        }
        HTTPBackendRef backend = rule.getBackendRefs().get(0);
        String namespace = backend.getNamespace() == null ? route.namespace() : backend.getNamespace();
        boolean service = backend.getKind() == null || "Service".equals(backend.getKind());
        if (!service || !expected.equals(backend.getName()) || backend.getPort() == null
                || render.service(namespace, backend.getName(), backend.getPort()) == null) {
            problems.add(where + ": sends " + prefix + " to " + (service ? "Service" : backend.getKind()) + " "
                    + namespace + "/" + backend.getName() + ":" + backend.getPort() + ", not to a port of Service "
                    + expected);
        }
    }

    private static boolean admitsRoutesFrom(KubernetesRender render, Item<Gateway> gateway, Listener listener,
            String namespace) {
        RouteNamespaces allowed = listener.getAllowedRoutes() == null ? null
                : listener.getAllowedRoutes().getNamespaces();
        String from = allowed == null || allowed.getFrom() == null ? "Same" : allowed.getFrom();
        Map<String, String> labels = new HashMap<>();
        Item<Namespace> declared = render.find(Namespace.class, null, namespace);
        if (declared != null) {
            labels.putAll(KubernetesRender.labels(declared.model().getMetadata().getLabels()));
        }
        labels.put(KubernetesNetworkPolicies.NAMESPACE_NAME_LABEL, namespace);
        return switch (from) {
            case "All" -> true;
            case "Same" -> namespace.equals(gateway.namespace());
            case "Selector" -> KubernetesRender.selects(allowed.getSelector(), labels);
            default -> false;
        };
    }
}
