package dev.tollgate.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.tollgate.deploy.KubernetesKustomize.Resource;
import dev.tollgate.deploy.KubernetesRender.Item;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.Gateway;
import io.fabric8.kubernetes.api.model.gatewayapi.v1.SecretObjectReference;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.openshift.api.model.monitoring.v1.Endpoint;
import io.fabric8.openshift.api.model.monitoring.v1.ServiceMonitor;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/k8s as a cluster and the services would take it. Every YAML document must read into fabric8's model of its
 * kind with nothing left over (a misspelt or misplaced field fails here, not at {@code kubectl apply}); every
 * kustomization must name only what exists and every patch must change something; and the base and each overlay,
 * rendered, must hold together: probes on each service's {@code quarkus.http.port}, hardened pods, a Service,
 * autoscaler, disruption budget and ServiceMonitor for each Deployment, ConfigMaps that exist and Secrets that
 * secrets.example.yaml lists (it lists nothing else), variables that each set something the service reads, every
 * value the prod profile needs, routes for exactly the local gateway's prefixes, and NetworkPolicies that admit only
 * the gateway, Prometheus and the services that call. The Deployments, Services and ServiceMonitors must be what
 * quarkus-kubernetes generates; with {@code -Dtollgate.k8s.write=true} (or {@code TOLLGATE_K8S_WRITE=1}) this test
 * writes them from the packaged services instead.
 */
class KubernetesManifestsTest {

    private static final List<String> RENDERS = List.of("base", "overlays/dev", "overlays/prod");
    /** Variables quarkus-kubernetes writes into every Deployment for its own use, and why. */
    private static final Map<String, String> PLATFORM_VARIABLES = Map.of(
            "KUBERNETES_NAMESPACE", "quarkus-kubernetes sets it from the pod's namespace for the Kubernetes client");

    private static Path root;
    private static Path k8s;
    private static List<ServiceConfiguration> services;
    private static KubernetesKustomize kustomize;
    private static final Map<String, KubernetesRender> renders = new LinkedHashMap<>();
    private static final List<String> unreadable = new ArrayList<>();
    private static List<Item<Secret>> secrets;

    @BeforeAll
    static void render() throws IOException {
        root = ConfigReferenceSources.findRoot(Path.of(""));
        k8s = root.resolve("deploy/k8s");
        services = ServiceConfiguration.load(root);
        kustomize = new KubernetesKustomize(k8s);
        for (String name : RENDERS) {
            renders.put(name, new KubernetesRender(name, kustomize.render(k8s.resolve(name)), unreadable));
        }
        List<Resource> examples = new ArrayList<>();
        for (Object document : KubernetesDocuments.read(k8s.resolve("secrets.example.yaml"))) {
            examples.add(new Resource("secrets.example.yaml",
                    KubernetesDocuments.object(document, "secrets.example.yaml")));
        }
        secrets = new KubernetesRender("secrets.example.yaml", examples, unreadable).all(Secret.class);
    }

    @Test
    void everyManifestReadsIntoTheKubernetesModelWithNothingLeftOver() throws IOException {
        List<String> problems = new ArrayList<>(unreadable);
        for (Path file : yamlFiles()) {
            String where = relative(file);
            if (file.getFileName().toString().equals("kustomization.yaml")) {
                continue;
            }
            for (Object document : KubernetesDocuments.read(file)) {
                if (document instanceof List<?>) {
                    if (!kustomize.filesRead().contains(file)) {
                        problems.add(where + ": a JSON patch no kustomization applies");
                    }
                    continue;
                }
                try {
                    KubernetesDocuments.model(KubernetesDocuments.object(document, where), where);
                } catch (IllegalArgumentException e) {
                    problems.add(e.getMessage());
                }
            }
        }
        assertNone(problems);
    }

    @Test
    void kustomizationsNameOnlyWhatExistsAndUseEveryFile() throws IOException {
        List<String> problems = new ArrayList<>(kustomize.problems());
        for (Path file : yamlFiles()) {
            boolean example = relative(file).equals("secrets.example.yaml");
            if (example && kustomize.filesRead().contains(file)) {
                problems.add("secrets.example.yaml is part of a kustomization: Secrets are never applied from here");
            } else if (!example && !kustomize.filesRead().contains(file)) {
                problems.add(relative(file) + " is part of no kustomization (" + String.join(", ", RENDERS) + ")");
            }
        }
        renders.values().forEach(render -> render.all(Secret.class).forEach(
                secret -> problems.add(render.name() + " holds " + secret.describe() + ": Secrets are not committed")));
        assertNone(problems);
    }

    @ParameterizedTest
    @ValueSource(strings = { "base", "overlays/dev", "overlays/prod" })
    void deploymentsProbeTheServicePortAndRunHardened(String name) {
        KubernetesRender render = renders.get(name);
        List<String> problems = new ArrayList<>();
        Set<String> deployed = new TreeSet<>();
        for (Item<Deployment> deployment : render.all(Deployment.class)) {
            String where = name + ": " + deployment.describe();
            ServiceConfiguration service = service(deployment.name());
            PodSpec pod = deployment.model().getSpec().getTemplate().getSpec();
            if (service == null || pod.getContainers().size() != 1) {
                problems.add(where + ": needs one container and a service module of its name");
                continue;
            }
            deployed.add(service.module());
            Container container = pod.getContainers().get(0);
            int port = service.httpPort();
            if (container.getPorts().stream().noneMatch(p -> p.getContainerPort() == port
                    && "http".equals(p.getName()))) {
                problems.add(where + ": has no port http on " + port + ", the quarkus.http.port of "
                        + service.module());
            }
            KubernetesPodChecks.probe(problems, where, "liveness", container.getLivenessProbe(), "/q/health/live",
                    port);
            KubernetesPodChecks.probe(problems, where, "readiness", container.getReadinessProbe(), "/q/health/ready",
                    port);
            KubernetesPodChecks.probe(problems, where, "startup", container.getStartupProbe(), "/q/health/started",
                    port);
            KubernetesPodChecks.resources(problems, where, container.getResources());
            KubernetesPodChecks.hardened(problems, where, pod, container);
            KubernetesPodChecks.drains(problems, where, pod, container,
                    service.prodProperties().get("quarkus.shutdown.timeout"));
        }
        Set<String> modules = services.stream().map(ServiceConfiguration::module)
                .collect(Collectors.toCollection(TreeSet::new));
        if (!deployed.equals(modules)) {
            problems.add(name + ": deploys " + deployed + ", the services are " + modules);
        }
        assertNone(problems);
    }

    @ParameterizedTest
    @ValueSource(strings = { "base", "overlays/dev", "overlays/prod" })
    void servicesAutoscalersBudgetsAndMonitorsTargetTheDeployments(String name) {
        KubernetesRender render = renders.get(name);
        List<String> problems = new ArrayList<>();
        Map<String, Integer> count = new HashMap<>();
        for (Item<Service> service : render.all(Service.class)) {
            Item<Deployment> deployment = one(problems, name, service, render.podsOf(service));
            if (deployment != null) {
                count.merge("Service " + deployment.name(), 1, Integer::sum);
                for (ServicePort port : service.model().getSpec().getPorts()) {
                    Container container = KubernetesRender.container(deployment.model());
                    if (!KubernetesRender.isPortOf(port.getTargetPort(), container)) {
                        problems.add(name + ": " + service.describe() + ": port " + port.getPort() + " targets "
                                + port.getTargetPort() + ", which is no port of " + deployment.describe());
                    }
                }
            }
        }
        for (Item<HorizontalPodAutoscaler> autoscaler : render.all(HorizontalPodAutoscaler.class)) {
            var spec = autoscaler.model().getSpec();
            var target = spec.getScaleTargetRef();
            Item<Deployment> deployment = render.find(Deployment.class, autoscaler.namespace(), target.getName());
            if (!"apps/v1".equals(target.getApiVersion()) || !"Deployment".equals(target.getKind())
                    || deployment == null) {
                problems.add(name + ": " + autoscaler.describe() + ": scales " + target.getApiVersion() + " "
                        + target.getKind() + " " + target.getName() + ", which is no Deployment here");
                continue;
            }
            count.merge("HorizontalPodAutoscaler " + deployment.name(), 1, Integer::sum);
            if (spec.getMinReplicas() == null || spec.getMinReplicas() < 1 || spec.getMinReplicas() > spec
                    .getMaxReplicas() || spec.getMetrics().isEmpty()) {
                problems.add(name + ": " + autoscaler.describe() + ": needs 1 <= minReplicas <= maxReplicas and a "
                        + "metric, has " + spec.getMinReplicas() + ", " + spec.getMaxReplicas() + ", "
                        + spec.getMetrics().size());
            }
            var scaleDown = spec.getBehavior() == null ? null : spec.getBehavior().getScaleDown();
            if (scaleDown == null || scaleDown.getStabilizationWindowSeconds() == null
                    || scaleDown.getStabilizationWindowSeconds() < 120) {
                problems.add(name + ": " + autoscaler.describe() + ": needs behavior.scaleDown."
                        + "stabilizationWindowSeconds of at least 120, so that a short lull removes no replica");
            }
        }
        for (Item<PodDisruptionBudget> budget : render.all(PodDisruptionBudget.class)) {
            var spec = budget.model().getSpec();
            Item<Deployment> deployment = one(problems, name, budget, render.deployments(budget.namespace(),
                    spec.getSelector()));
            if (deployment != null) {
                count.merge("PodDisruptionBudget " + deployment.name(), 1, Integer::sum);
            }
            if ((spec.getMinAvailable() == null) == (spec.getMaxUnavailable() == null)) {
                problems.add(name + ": " + budget.describe() + ": needs one of minAvailable and maxUnavailable");
            }
        }
        for (Item<ServiceMonitor> monitor : render.all(ServiceMonitor.class)) {
            List<Item<Service>> monitored = render.monitored(monitor);
            Item<Deployment> deployment = monitored.size() != 1 ? null
                    : one(problems, name, monitor, render.podsOf(monitored.get(0)));
            if (deployment == null) {
                problems.add(name + ": " + monitor.describe() + ": scrapes " + KubernetesRender.names(monitored)
                        + ", not one Service of one Deployment");
                continue;
            }
            count.merge("ServiceMonitor " + deployment.name(), 1, Integer::sum);
            for (Endpoint endpoint : monitor.model().getSpec().getEndpoints()) {
                boolean named = monitored.get(0).model().getSpec().getPorts().stream()
                        .anyMatch(port -> Objects.equals(endpoint.getPort(), port.getName()));
                if (!"/q/metrics".equals(endpoint.getPath()) || (!named && !KubernetesRender
                        .isPortOf(endpoint.getTargetPort(), KubernetesRender.container(deployment.model())))) {
                    problems.add(name + ": " + monitor.describe() + ": scrapes " + endpoint.getPath() + " on "
                            + endpoint.getPort() + "/" + endpoint.getTargetPort() + ", not /q/metrics on a port of "
                            + deployment.describe());
                }
            }
        }
        for (Item<Deployment> deployment : render.all(Deployment.class)) {
            for (String kind : List.of("Service", "HorizontalPodAutoscaler", "PodDisruptionBudget", "ServiceMonitor")) {
                int found = count.getOrDefault(kind + " " + deployment.name(), 0);
                if (found != 1) {
                    problems.add(name + ": " + deployment.describe() + ": has " + found + " " + kind + "s, not one");
                }
            }
        }
        assertNone(problems);
    }

    @ParameterizedTest
    @ValueSource(strings = { "base", "overlays/dev", "overlays/prod" })
    void configMapsExistAndSecretsAreInTheExample(String name) {
        KubernetesRender render = renders.get(name);
        List<String> problems = new ArrayList<>();
        for (Item<Deployment> deployment : render.all(Deployment.class)) {
            String where = name + ": " + deployment.describe();
            String namespace = deployment.namespace();
            Container container = KubernetesRender.container(deployment.model());
            for (EnvFromSource source : container.getEnvFrom()) {
                if (source.getConfigMapRef() != null
                        && render.find(ConfigMap.class, namespace, source.getConfigMapRef().getName()) == null) {
                    problems.add(where + ": loads ConfigMap " + source.getConfigMapRef().getName() + ", which " + name
                            + " does not have");
                }
                if (source.getSecretRef() != null && secretKeys(namespace + "/" + source.getSecretRef().getName())
                        .isEmpty()) {
                    problems.add(where + ": loads Secret " + source.getSecretRef().getName()
                            + ", which secrets.example.yaml does not list");
                }
            }
            for (EnvVar variable : container.getEnv()) {
                var configKey = variable.getValueFrom() == null ? null : variable.getValueFrom().getConfigMapKeyRef();
                Item<ConfigMap> configMap = configKey == null ? null
                        : render.find(ConfigMap.class, namespace, configKey.getName());
                if (configKey != null && (configMap == null || !configMap.model().getData()
                        .containsKey(configKey.getKey()))) {
                    problems.add(where + ": " + variable.getName() + " reads key " + configKey.getKey()
                            + " of ConfigMap " + configKey.getName() + ", which " + name + " does not have");
                }
                var secretKey = variable.getValueFrom() == null ? null : variable.getValueFrom().getSecretKeyRef();
                if (secretKey != null && !secretKeys(namespace + "/" + secretKey.getName())
                        .contains(secretKey.getKey())) {
                    problems.add(where + ": " + variable.getName() + " reads key " + secretKey.getKey() + " of Secret "
                            + secretKey.getName() + ", which secrets.example.yaml does not list");
                }
            }
        }
        for (Item<Gateway> gateway : render.all(Gateway.class)) {
            for (String certificate : certificates(gateway)) {
                if (secretKeys(certificate).isEmpty()) {
                    problems.add(name + ": " + gateway.describe() + " serves the certificate in Secret " + certificate
                            + ", which secrets.example.yaml does not list");
                }
            }
        }
        assertNone(problems);
    }

    @Test
    void secretsExampleListsExactlyTheSecretsAndKeysTheManifestsRead() {
        Set<String> used = new TreeSet<>();
        for (KubernetesRender render : renders.values()) {
            for (Item<Deployment> deployment : render.all(Deployment.class)) {
                Container container = KubernetesRender.container(deployment.model());
                for (EnvVar variable : container.getEnv()) {
                    if (variable.getValueFrom() != null && variable.getValueFrom().getSecretKeyRef() != null) {
                        used.add(deployment.namespace() + "/" + variable.getValueFrom().getSecretKeyRef().getName()
                                + " " + variable.getValueFrom().getSecretKeyRef().getKey());
                    }
                }
                for (EnvFromSource source : container.getEnvFrom()) {
                    if (source.getSecretRef() != null) {
                        String secret = deployment.namespace() + "/" + source.getSecretRef().getName();
                        secretKeys(secret).forEach(key -> used.add(secret + " " + key));
                    }
                }
            }
            for (Item<Gateway> gateway : render.all(Gateway.class)) {
                for (String secret : certificates(gateway)) {
                    secretKeys(secret).forEach(key -> used.add(secret + " " + key));
                }
            }
        }
        Set<String> listed = new TreeSet<>();
        for (Item<Secret> secret : secrets) {
            String name = secret.namespace() + "/" + secret.name();
            secretKeys(name).forEach(key -> listed.add(name + " " + key));
        }
        assertTrue(used.containsAll(listed), "secrets.example.yaml lists keys no manifest reads: "
                + listed.stream().filter(key -> !used.contains(key)).toList());
        assertTrue(listed.containsAll(used), "the manifests read Secret keys secrets.example.yaml does not list: "
                + used.stream().filter(key -> !listed.contains(key)).toList());
    }

    @ParameterizedTest
    @ValueSource(strings = { "base", "overlays/dev", "overlays/prod" })
    void everyVariableSetsSomethingTheServiceReads(String name) {
        KubernetesRender render = renders.get(name);
        List<String> problems = new ArrayList<>();
        for (Item<Deployment> deployment : render.all(Deployment.class)) {
            ServiceConfiguration service = service(deployment.name());
            Map<String, String> origins = new LinkedHashMap<>();
            for (String variable : render.environment(deployment, KubernetesManifestsTest::secretKeys, origins)
                    .keySet()) {
                if (service != null && !PLATFORM_VARIABLES.containsKey(variable) && !service.reads(variable)) {
                    problems.add(name + ": " + variable + " (" + origins.get(variable) + ") sets nothing "
                            + service.module() + " reads");
                }
            }
        }
        assertNone(problems);
    }

    @ParameterizedTest
    @ValueSource(strings = { "base", "overlays/dev", "overlays/prod" })
    void theProdProfileFindsEveryValueItNeeds(String name) {
        KubernetesRender render = renders.get(name);
        List<String> problems = new ArrayList<>();
        Map<String, Map<String, String>> environments = new HashMap<>();
        for (Item<Deployment> deployment : render.all(Deployment.class)) {
            ServiceConfiguration service = service(deployment.name());
            if (service != null) {
                Map<String, String> environment = render.environment(deployment, KubernetesManifestsTest::secretKeys,
                        new HashMap<>());
                environments.put(service.module(), environment);
                service.unmet(environment).forEach(unmet -> problems.add(name + ": " + deployment.describe() + ": " + unmet));
            }
        }
        // a client's secret at auth-service and the secret the client presents must come from one Secret key
        String clientSecret = ".clients.<name>.secret";
        ServiceConfiguration issuer = services.stream().filter(service -> service.mappedProperties().stream()
                .anyMatch(property -> property.name().endsWith(clientSecret))).findFirst().orElseThrow();
        String clients = issuer.mappedProperties().stream().map(ServiceConfiguration.MappedProperty::name)
                .filter(property -> property.endsWith(clientSecret)).findFirst().orElseThrow();
        for (ServiceConfiguration client : services) {
            String clientId = client.prodProperties().get("quarkus.oidc-client.client-id");
            String presented = client.prodProperties().get("quarkus.oidc-client.credentials.secret");
            if (clientId == null || presented == null || environments.get(client.module()) == null
                    || environments.get(issuer.module()) == null) {
                continue;
            }
            Matcher variable = Pattern.compile("\\$\\{([^:}]+)").matcher(presented);
            String given = variable.find() ? environments.get(client.module()).get(variable.group(1)) : null;
            String checked = environments.get(issuer.module())
                    .get(ServiceConfiguration.envName(clients.replace("<name>", clientId)));
            if (given == null || !given.startsWith("<secret") || !given.equals(checked)) {
                problems.add(name + ": " + client.module() + " presents " + given + " as client " + clientId + ", "
                        + issuer.module() + " checks it against " + checked + ": both must read one Secret key");
            }
        }
        assertNone(problems);
    }

    @ParameterizedTest
    @ValueSource(strings = { "base", "overlays/dev", "overlays/prod" })
    void networkPoliciesAdmitOnlyTheGatewayPrometheusAndTheCallers(String name) {
        assertNone(KubernetesNetworkPolicies.check(renders.get(name), KubernetesManifestsTest::secretKeys));
    }

    @ParameterizedTest
    @ValueSource(strings = { "base", "overlays/dev", "overlays/prod" })
    void routesSendEachPrefixOfTheLocalGatewayToItsService(String name) throws IOException {
        assertNone(KubernetesRoutes.check(renders.get(name), new SuiteSources(root).gatewayRoutes(),
                KubernetesRoutes.internalPrefixes(root)));
    }

    @Test
    void devRunsOneOfEachAndProdAtLeastTwoOnPinnedImages() {
        List<String> problems = new ArrayList<>();
        KubernetesRender dev = renders.get("overlays/dev");
        KubernetesRender prod = renders.get("overlays/prod");
        for (Item<Deployment> deployment : dev.all(Deployment.class)) {
            if (!Objects.equals(deployment.model().getSpec().getReplicas(), 1)) {
                problems.add("overlays/dev: " + deployment.describe() + " runs "
                        + deployment.model().getSpec().getReplicas() + " replicas, not 1");
            }
        }
        for (Item<HorizontalPodAutoscaler> autoscaler : dev.all(HorizontalPodAutoscaler.class)) {
            if (!Objects.equals(autoscaler.model().getSpec().getMinReplicas(), 1)) {
                problems.add("overlays/dev: " + autoscaler.describe() + " keeps at least "
                        + autoscaler.model().getSpec().getMinReplicas() + " replicas, not 1");
            }
        }
        for (Item<HorizontalPodAutoscaler> autoscaler : prod.all(HorizontalPodAutoscaler.class)) {
            Integer minimum = autoscaler.model().getSpec().getMinReplicas();
            if (minimum == null || minimum < 2) {
                problems.add("overlays/prod: " + autoscaler.describe() + " allows " + minimum + " replica");
            }
        }
        for (Item<Deployment> deployment : prod.all(Deployment.class)) {
            String where = "overlays/prod: " + deployment.describe();
            Integer replicas = deployment.model().getSpec().getReplicas();
            if (replicas == null || replicas < 2) {
                problems.add(where + ": runs " + replicas + " replicas, fewer than 2");
            }
            String image = KubernetesRender.container(deployment.model()).getImage();
            String tag = image.substring(KubernetesKustomize.imageName(image).length());
            if (!tag.startsWith("@sha256:") && (!tag.startsWith(":") || tag.equals(":latest")
                    || tag.contains("SNAPSHOT"))) {
                problems.add(where + ": runs image " + image + ", which is not pinned to a release tag or digest");
            }
            List<Item<PodDisruptionBudget>> budgets = prod.all(PodDisruptionBudget.class).stream()
                    .filter(budget -> prod.deployments(budget.namespace(), budget.model().getSpec().getSelector())
                            .contains(deployment))
                    .toList();
            if (budgets.size() != 1 || !new IntOrString(1).equals(budgets.get(0).model().getSpec().getMinAvailable())) {
                problems.add(where + ": needs one PodDisruptionBudget with minAvailable 1, has "
                        + KubernetesRender.names(budgets));
            }
            Item<Deployment> small = dev.find(Deployment.class, deployment.namespace(), deployment.name());
            var big = KubernetesRender.container(deployment.model()).getResources();
            var little = small == null ? null : KubernetesRender.container(small.model()).getResources();
            for (String resource : List.of("cpu", "memory")) {
                if (little == null || amount(big.getRequests(), resource).compareTo(amount(little.getRequests(),
                        resource)) <= 0 || amount(big.getLimits(), resource).compareTo(amount(little.getLimits(),
                                resource)) <= 0) {
                    problems.add(where + ": its " + resource + " request and limit are not larger than in "
                            + "overlays/dev");
                }
            }
        }
        assertNone(problems);
    }

    @Test
    void deploymentsServicesAndMonitorsAreWhatQuarkusGenerates() throws IOException {
        boolean write = Boolean.getBoolean("tollgate.k8s.write") || "1".equals(System.getenv("TOLLGATE_K8S_WRITE"));
        // quarkus-kubernetes writes its manifests when a service is packaged: ./mvnw verify always compares them,
        // a ./mvnw test that packaged nothing has nothing to compare
        List<String> unpackaged = services.stream().map(ServiceConfiguration::module)
                .filter(module -> !Files.isRegularFile(root.resolve(module)
                        .resolve("target/quarkus-app/quarkus-run.jar")))
                .toList();
        Assumptions.assumeTrue(unpackaged.isEmpty(), () -> "compared once the services are packaged (./mvnw verify);"
                + " not packaged: " + unpackaged);
        List<String> problems = new ArrayList<>();
        for (ServiceConfiguration service : services) {
            problems.addAll(KubernetesGenerated.compare(root, k8s.resolve("base"), service.module(),
                    service.shortName(), write));
        }
        assertNone(problems);
    }

    /** The service whose module is {@code module}, or null. */
    private static ServiceConfiguration service(String module) {
        return services.stream().filter(service -> service.module().equals(module)).findFirst().orElse(null);
    }

    /** The one Deployment of {@code selected}, or null with a problem naming {@code item}. */
    private static Item<Deployment> one(List<String> problems, String render, Item<?> item,
            List<Item<Deployment>> selected) {
        if (selected.size() == 1) {
            return selected.get(0);
        }
        problems.add(render + ": " + item.describe() + ": selects the pods of " + KubernetesRender.names(selected)
                + ", not of one Deployment");
        return null;
    }

    /** The Secrets ({@code namespace/name}) holding the certificates a Gateway serves. */
    private static List<String> certificates(Item<Gateway> gateway) {
        return gateway.model().getSpec().getListeners().stream().filter(listener -> listener.getTls() != null)
                .flatMap(listener -> listener.getTls().getCertificateRefs().stream())
                .map((SecretObjectReference reference) -> (reference.getNamespace() == null ? gateway.namespace()
                        : reference.getNamespace()) + "/" + reference.getName())
                .toList();
    }

    /** The keys secrets.example.yaml lists for the Secret {@code namespace/name}; none for one it does not list. */
    private static Set<String> secretKeys(String namespacedName) {
        Set<String> keys = new TreeSet<>();
        for (Item<Secret> secret : secrets) {
            if ((secret.namespace() + "/" + secret.name()).equals(namespacedName)) {
                keys.addAll(secret.model().getStringData().keySet());
                keys.addAll(secret.model().getData().keySet());
            }
        }
        return keys;
    }

    private static BigDecimal amount(Map<String, Quantity> quantities, String resource) {
        Quantity quantity = quantities.get(resource);
        return quantity == null ? BigDecimal.ZERO : quantity.getNumericalAmount();
    }

    private static List<Path> yamlFiles() throws IOException {
        try (Stream<Path> files = Files.walk(k8s)) {
            return files.filter(file -> file.toString().endsWith(".yaml") || file.toString().endsWith(".yml"))
                    .sorted().toList();
        }
    }

    private static String relative(Path file) {
        return k8s.relativize(file).toString().replace('\\', '/');
    }

    /**
     * The PostgreSQL connection budget of docs/operations.md is what the prod overlay may open at its autoscalers'
     * maximum: per service, its largest replica count times its pools (the reactive pool, and the JDBC pool Flyway
     * migrates with). With {@code -Dtollgate.docs.write=true} it writes the table instead.
     */
    @Test
    void theConnectionBudgetInOperationsMdIsWhatProdMayOpen() throws IOException {
        KubernetesRender prod = renders.get("overlays/prod");
        StringBuilder table = new StringBuilder("\n| service | reactive pool | Flyway's pool | replicas at most "
                + "| connections at most |\n|---|---|---|---|---|\n");
        long total = 0;
        List<String> problems = new ArrayList<>();
        List<Item<HorizontalPodAutoscaler>> autoscalers = new ArrayList<>(prod.all(HorizontalPodAutoscaler.class));
        autoscalers.sort(java.util.Comparator.comparing(Item::name));
        for (Item<HorizontalPodAutoscaler> autoscaler : autoscalers) {
            ServiceConfiguration service = service(autoscaler.model().getSpec().getScaleTargetRef().getName());
            if (service == null) {
                problems.add(autoscaler.describe() + " scales no service");
                continue;
            }
            String reactive = service.prodProperties().get("quarkus.datasource.reactive.max-size");
            String jdbc = service.prodProperties().get("quarkus.datasource.jdbc.max-size");
            if (reactive == null || jdbc == null) {
                problems.add(service.module() + " leaves a pool size to the default: set "
                        + "quarkus.datasource.reactive.max-size and quarkus.datasource.jdbc.max-size");
                continue;
            }
            int replicas = autoscaler.model().getSpec().getMaxReplicas();
            long connections = (long) replicas * (Integer.parseInt(reactive.trim()) + Integer.parseInt(jdbc.trim()));
            total += connections;
            table.append("| ").append(service.module()).append(" | ").append(reactive.trim()).append(" | ")
                    .append(jdbc.trim()).append(" | ").append(replicas).append(" | ").append(connections)
                    .append(" |\n");
        }
        assertNone(problems);
        table.append("| **all** | | | | **").append(total).append("** |\n\nPostgreSQL's `max_connections` must be at least ")
                .append(total + CONNECTIONS_KEPT_FREE).append(" (").append(CONNECTIONS_KEPT_FREE)
                .append(" kept for administration, backups and the superuser), or put a pooler such as PgBouncer in "
                        + "front.\n");
        Path page = root.resolve("docs/operations.md");
        String start = "<!-- connection-budget: generated by KubernetesManifestsTest -->";
        String end = "<!-- /connection-budget -->";
        String text = Files.readString(page).replace("\r\n", "\n");
        int from = text.indexOf(start);
        int to = text.indexOf(end);
        assertTrue(from >= 0 && to > from, "docs/operations.md has no " + start + " ... " + end + " section");
        if (Boolean.getBoolean("tollgate.docs.write") || "1".equals(System.getenv("TOLLGATE_DOCS_WRITE"))) {
            Files.writeString(page, text.substring(0, from + start.length()) + table + text.substring(to));
            return;
        }
        org.junit.jupiter.api.Assertions.assertEquals(table.toString(), text.substring(from + start.length(), to),
                "docs/operations.md's connection budget is stale: run ./mvnw -pl deploy test "
                        + "-Dtest=KubernetesManifestsTest -Dtollgate.docs.write=true");
    }

    /** Connections PostgreSQL keeps beyond the services' budget. */
    private static final int CONNECTIONS_KEPT_FREE = 50;

    private static void assertNone(List<String> problems) {
        assertTrue(problems.isEmpty(), problems.size() + " problem(s):\n" + String.join("\n", problems));
    }
}
