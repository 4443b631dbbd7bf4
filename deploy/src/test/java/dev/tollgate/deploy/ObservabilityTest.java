package dev.tollgate.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.github.javaparser.JavaParser;
import com.github.javaparser.ParseResult;
import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.ParserConfiguration.LanguageLevel;
import com.github.javaparser.ast.CompilationUnit;
import com.github.javaparser.ast.Node;
import com.github.javaparser.ast.expr.Expression;
import com.github.javaparser.ast.expr.MethodCallExpr;
import com.github.javaparser.ast.expr.NameExpr;
import com.github.javaparser.ast.expr.StringLiteralExpr;
import io.fabric8.openshift.api.model.monitoring.v1.PrometheusRule;
import io.fabric8.openshift.api.model.monitoring.v1.Rule;
import io.fabric8.openshift.api.model.monitoring.v1.RuleGroup;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The Grafana dashboard and the alert rules are only worth something if every query they run finds a series: a
 * meter renamed in a service, or a typo in a label, leaves a panel empty and an alert that can never fire, and
 * nothing else would notice. This test reads the meters the services declare (the names and tag keys given to
 * Micrometer in every module's {@code src/main/java}, mapped to the names the Prometheus registry exposes) and
 * checks every metric name and label in the dashboard's and the rules' PromQL against them, plus a short list of
 * what Quarkus and Prometheus add. It also checks that the dashboard is complete and usable (titles, data source,
 * service filter, the rows operators look for), that every rule can be routed and acted on (severity, summary,
 * description, a runbook whose section exists in docs/operations.md), that the alerts the project relies on exist,
 * that the Kubernetes PrometheusRule holds the same groups as alerts.yml, and that the monitoring kustomization
 * ships both.
 */
class ObservabilityTest {

    static final String DASHBOARD = "deploy/k8s/base/monitoring/tollgate-dashboard.json";
    static final String ALERTS = "deploy/prometheus/alerts.yml";
    static final String PROMETHEUS_RULE = "deploy/k8s/base/monitoring/prometheus-rule.yaml";
    static final String KUSTOMIZATION = "deploy/k8s/base/monitoring/kustomization.yaml";
    static final String OPERATIONS = "docs/operations.md";

    /** What Prometheus, Quarkus' HTTP server binder and the JVM binders publish, with their labels. */
    static final Map<String, Set<String>> PLATFORM_METRICS = Map.of(
            "up", Set.of(),
            "http_server_requests_seconds_count", Set.of("method", "uri", "status", "outcome"),
            "http_server_requests_seconds_sum", Set.of("method", "uri", "status", "outcome"),
            "http_server_requests_seconds_max", Set.of("method", "uri", "status", "outcome"),
            // buckets from common's HttpServerLatency
            "http_server_requests_seconds_bucket", Set.of("method", "uri", "status", "outcome", "le"),
            "jvm_memory_used_bytes", Set.of("area", "id"),
            "jvm_memory_committed_bytes", Set.of("area", "id"));

    /** Labels Prometheus attaches to every scraped series. */
    static final Set<String> TARGET_LABELS = Set.of("job", "instance");

    static final Pattern DURATION = Pattern.compile("(?:\\d+y)?(?:\\d+w)?(?:\\d+d)?(?:\\d+h)?(?:\\d+m)?(?:\\d+s)?"
            + "(?:\\d+ms)?");
    static final Pattern RUNBOOK = Pattern.compile("docs/operations\\.md#[a-z0-9]+(?:-[a-z0-9]+)*");
    static final Pattern LEGEND_LABEL = Pattern.compile("\\{\\{\\s*([a-zA-Z_][a-zA-Z0-9_]*)\\s*}}");
    static final Pattern TEMPLATE_LABEL = Pattern.compile("\\$labels\\.([a-zA-Z_][a-zA-Z0-9_]*)");

    static final ObjectMapper JSON = new ObjectMapper();
    static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

    private static Path root;
    private static Map<String, Meter> metrics;
    private static JsonNode dashboard;
    private static JsonNode alerts;

    @BeforeAll
    static void read() throws IOException {
        root = findRoot(Path.of("").toAbsolutePath());
        metrics = MeterCatalogue.read(root);
        dashboard = JSON.readTree(root.resolve(DASHBOARD).toFile());
        alerts = YAML.readTree(root.resolve(ALERTS).toFile());
    }

    @Test
    void meterCatalogueHoldsWhatTheServicesDeclare() {
        // the catalogue is what every other check trusts: a parser that found nothing, or everything, proves nothing
        assertEquals(Set.of("model", "provider", "outcome"), labels("tollgate_generation_requests_total"));
        assertEquals(Set.of("model", "provider"), labels("tollgate_generation_cost_usd_total"),
                "a counter with base unit usd is published as <name>_usd_total");
        assertEquals(Set.of("provider"), labels("tollgate_provider_breaker_state"));
        assertTrue(metrics.containsKey("tollgate_generation_first_token_seconds_bucket"),
                "the first-token timer publishes a histogram");
        assertTrue(metrics.containsKey("tollgate_account_erasure_duration_seconds_count"));
        assertFalse(metrics.containsKey("tollgate_account_erasure_duration_seconds_bucket"),
                "a timer without publishPercentileHistogram() has no buckets");
        assertTrue(metrics.containsKey("tollgate_gate_latency_seconds"), "the gate's timer publishes percentiles");
        assertTrue(metrics.containsKey("tollgate_ledger_lag_seconds"), "a gauge keeps its name");
    }

    @Test
    void dashboardHasItsVariablesAndRows() {
        List<String> problems = new ArrayList<>();
        if (dashboard.path("schemaVersion").asInt() < 39) {
            problems.add("schemaVersion is " + dashboard.path("schemaVersion") + ", expected 39 or newer");
        }
        if (dashboard.path("uid").asText().isBlank() || dashboard.path("title").asText().isBlank()) {
            problems.add("the dashboard needs a uid and a title so that provisioning and links find it");
        }
        Map<String, JsonNode> variables = new LinkedHashMap<>();
        dashboard.path("templating").path("list").forEach(v -> variables.put(v.path("name").asText(), v));
        JsonNode datasource = variables.get("datasource");
        if (datasource == null || !"datasource".equals(datasource.path("type").asText())
                || !"prometheus".equals(datasource.path("query").asText())) {
            problems.add("no variable 'datasource' of type datasource with query prometheus");
        }
        JsonNode service = variables.get("service");
        String serviceQuery = service == null ? "" : service.path("definition").asText(service.path("query").asText());
        if (service == null || !serviceQuery.startsWith("label_values(")
                || !"${datasource}".equals(service.path("datasource").path("uid").asText())) {
            problems.add("no variable 'service' from label_values(...) on the ${datasource} data source");
        } else if (!service.path("includeAll").asBoolean() || !".*".equals(service.path("allValue").asText())) {
            problems.add("the 'service' variable needs includeAll with allValue .* so that All matches every job");
        }
        List<String> rows = rows().keySet().stream().toList();
        if (!rows.equals(List.of("Business", "AI gateway", "Services"))) {
            problems.add("rows are " + rows + ", expected [Business, AI gateway, Services]");
        }
        assertTrue(problems.isEmpty(), () -> DASHBOARD + ":\n  " + String.join("\n  ", problems));
    }

    @Test
    void everyPanelHasTitleDatasourceAndQueries() {
        List<String> problems = new ArrayList<>();
        Set<Integer> ids = new HashSet<>();
        for (JsonNode panel : panels()) {
            String name = "panel " + panel.path("id") + " \"" + panel.path("title").asText() + "\"";
            if (!ids.add(panel.path("id").asInt(-1))) {
                problems.add(name + ": its id is missing or used twice");
            }
            if (panel.path("title").asText().isBlank()) {
                problems.add(name + ": no title");
            }
            JsonNode grid = panel.path("gridPos");
            if (grid.path("w").asInt() <= 0 || grid.path("x").asInt() + grid.path("w").asInt() > 24) {
                problems.add(name + ": gridPos " + grid + " does not fit the 24 columns");
            }
            if ("row".equals(panel.path("type").asText())) {
                continue;
            }
            if (!"${datasource}".equals(panel.path("datasource").path("uid").asText())) {
                problems.add(name + ": its datasource is not the ${datasource} variable");
            }
            if (!panel.path("targets").isArray() || panel.path("targets").isEmpty()) {
                problems.add(name + ": no targets");
            }
            for (JsonNode target : panel.path("targets")) {
                if (target.path("expr").asText().isBlank()) {
                    problems.add(name + " target " + target.path("refId").asText() + ": no expr");
                }
                if (!"${datasource}".equals(target.path("datasource").path("uid").asText())) {
                    problems.add(name + " target " + target.path("refId").asText()
                            + ": its datasource is not the ${datasource} variable");
                }
            }
        }
        assertTrue(problems.isEmpty(), () -> DASHBOARD + ":\n  " + String.join("\n  ", problems));
    }

    @Test
    void dashboardQueriesPublishedMetricsAndLabelsForTheChosenServices() {
        List<String> problems = new ArrayList<>();
        for (JsonNode panel : panels()) {
            for (JsonNode target : panel.path("targets")) {
                String where = "panel \"" + panel.path("title").asText() + "\" target "
                        + target.path("refId").asText();
                PromQl.Query query = parse(where, target.path("expr").asText(), problems);
                if (query == null) {
                    continue;
                }
                problems.addAll(checkNames(where, query));
                for (PromQl.Selector selector : query.selectors()) {
                    if (!"=~$service".equals(selector.matchers().get("job"))) {
                        problems.add(where + ": " + selector.metric()
                                + " is not filtered by job=~\"$service\", so the service variable does not apply");
                    }
                }
                Matcher legend = LEGEND_LABEL.matcher(target.path("legendFormat").asText());
                Set<String> output = outputLabels(query);
                while (legend.find()) {
                    if (!output.contains(legend.group(1))) {
                        problems.add(where + ": legend {{" + legend.group(1) + "}} is not a label of the result "
                                + output);
                    }
                }
            }
        }
        assertTrue(problems.isEmpty(), () -> DASHBOARD + ":\n  " + String.join("\n  ", problems));
    }

    @Test
    void dashboardRowsShowWhatOperatorsLookFor() {
        Map<String, List<String>> wanted = Map.of(
                "Business", List.of("tollgate_generation_requests_total", "tollgate_generation_tokens_total",
                        "tollgate_generation_cost_usd_total", "tollgate_gate_decisions_total",
                        "tollgate_quota_thresholds_crossed_total", "tollgate_auth_sign_ins_total",
                        "tollgate_auth_api_key_verifications_total", "tollgate_billing_subscription_changes_total",
                        "tollgate_billing_webhooks_total", "tollgate_account_exports_total",
                        "tollgate_account_erasures_total"),
                "AI gateway", List.of("tollgate_generation_first_token_seconds_bucket",
                        "tollgate_provider_attempts_total", "tollgate_provider_retries_total",
                        "tollgate_provider_fallbacks_total", "tollgate_provider_breaker_state"),
                "Services", List.of("http_server_requests_seconds_count", "http_server_requests_seconds_bucket",
                        "jvm_memory_used_bytes",
                        "tollgate_outbox_pending", "tollgate_outbox_publish_failures_total",
                        "tollgate_inbox_events_total", "tollgate_ledger_lag_seconds",
                        "tollgate_billing_stripe_tasks_waiting", "tollgate_gate_redis_unavailable_total"));
        List<String> problems = new ArrayList<>();
        rows().forEach((row, rowPanels) -> {
            Set<String> used = new TreeSet<>();
            List<String> exprs = new ArrayList<>();
            for (JsonNode panel : rowPanels) {
                panel.path("targets").forEach(target -> {
                    exprs.add(target.path("expr").asText());
                    PromQl.Query query = parse(row, target.path("expr").asText(), new ArrayList<>());
                    if (query != null) {
                        query.selectors().forEach(selector -> used.add(selector.metric()));
                    }
                });
            }
            wanted.getOrDefault(row, List.of()).stream().filter(metric -> !used.contains(metric))
                    .forEach(metric -> problems.add("row " + row + " shows nothing from " + metric));
            if ("AI gateway".equals(row) && (exprs.stream().noneMatch(e -> e.contains("histogram_quantile(0.5,"))
                    || exprs.stream().noneMatch(e -> e.contains("histogram_quantile(0.95,")))) {
                problems.add("row AI gateway has no p50 and p95 of the first-token histogram");
            }
            if ("Services".equals(row) && exprs.stream().noneMatch(e -> e.contains("status=~\"5..\""))) {
                problems.add("row Services has no 5xx ratio");
            }
            if ("Services".equals(row) && exprs.stream().noneMatch(e -> e.contains("histogram_quantile(0.95,")
                    && e.contains("http_server_requests_seconds_bucket"))) {
                problems.add("row Services has no p95 response time");
            }
        });
        assertTrue(problems.isEmpty(), () -> DASHBOARD + ":\n  " + String.join("\n  ", problems));
    }

    @Test
    void slowAndFailedRequestsLeadToTheirTraces() throws IOException {
        List<String> problems = new ArrayList<>();
        Map<String, JsonNode> variables = new LinkedHashMap<>();
        dashboard.path("templating").path("list").forEach(v -> variables.put(v.path("name").asText(), v));
        JsonNode traces = variables.getOrDefault("traces", JSON.createObjectNode());
        if (!"textbox".equals(traces.path("type").asText())) {
            problems.add("no textbox variable 'traces' naming the trace viewer's URL");
        } else if (!traces.path("skipUrlSync").asBoolean()) {
            problems.add("the variable 'traces' is read from the dashboard's URL: a crafted link would send the trace"
                    + " links elsewhere (set skipUrlSync)");
        }
        for (JsonNode panel : panels()) {
            String name = "panel \"" + panel.path("title").asText() + "\"";
            List<String> exprs = new ArrayList<>();
            panel.path("targets").forEach(target -> exprs.add(target.path("expr").asText()));
            List<String> links = new ArrayList<>();
            panel.path("fieldConfig").path("defaults").path("links").forEach(link -> links.add(link.path("url").asText()));
            boolean latency = exprs.stream().anyMatch(e -> e.contains("http_server_requests_seconds_bucket"));
            boolean failures = exprs.stream().anyMatch(e -> e.contains("status=~\"5..\""));
            if (latency || exprs.stream().anyMatch(e -> e.contains("_bucket"))) {
                panel.path("targets").forEach(target -> {
                    if (target.path("expr").asText().contains("_bucket") && !target.path("exemplar").asBoolean()) {
                        problems.add(name + " target " + target.path("refId").asText()
                                + " is a histogram without exemplars: its requests cannot open their traces");
                    }
                });
            }
            if (latency && links.stream().noneMatch(url -> url.startsWith("${traces}/search")
                    && url.contains("minDuration="))) {
                problems.add(name + " shows latency but links to no search for slow requests in ${traces}");
            }
            if ((latency || failures) && links.stream().noneMatch(url -> url.startsWith("${traces}/search")
                    && url.contains("error") && url.contains("service=${__field.labels.job}"))) {
                problems.add(name + " links to no search for the failed requests of the service clicked");
            }
        }
        // an exemplar's trace id opens in a data source docker-compose's Grafana has
        JsonNode sources = YAML.readTree(root.resolve("deploy/grafana/provisioning/datasources/datasources.yml")
                .toFile()).path("datasources");
        Set<String> uids = new HashSet<>();
        sources.forEach(source -> uids.add(source.path("uid").asText()));
        List<String> destinations = new ArrayList<>();
        sources.forEach(source -> source.path("jsonData").path("exemplarTraceIdDestinations")
                .forEach(to -> destinations.add(to.path("name").asText() + "->" + to.path("datasourceUid").asText())));
        if (destinations.isEmpty()) {
            problems.add("no data source sends exemplars' trace ids anywhere");
        }
        destinations.stream().filter(to -> !to.startsWith("trace_id->") || !uids.contains(to.split("->")[1]))
                .forEach(to -> problems.add("exemplar destination " + to + " is not trace_id into a provisioned source"));
        assertTrue(problems.isEmpty(), () -> DASHBOARD + ":\n  " + String.join("\n  ", problems));
    }

    @Test
    void everyRuleCanBeRoutedAndActedOn() {
        List<String> problems = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        alerts.fieldNames().forEachRemaining(keys::add);
        if (!keys.equals(List.of("groups"))) {
            problems.add("top-level keys are " + keys + ", a rule file has only groups");
        }
        Set<String> groupNames = new HashSet<>();
        Set<String> alertNames = new HashSet<>();
        for (RuleGroup group : ruleGroups(alerts.path("groups"))) {
            if (group.getName() == null || !groupNames.add(group.getName())) {
                problems.add("group " + group.getName() + ": a group needs a name of its own");
            }
            if (!group.getAdditionalProperties().isEmpty()) {
                problems.add("group " + group.getName() + ": unknown keys " + group.getAdditionalProperties().keySet());
            }
            if (group.getRules() == null || group.getRules().isEmpty()) {
                problems.add("group " + group.getName() + ": no rules");
                continue;
            }
            for (Rule rule : group.getRules()) {
                String name = "alert " + rule.getAlert();
                if (rule.getAlert() == null || rule.getAlert().isBlank() || !alertNames.add(rule.getAlert())) {
                    problems.add(name + " in group " + group.getName() + ": an alert needs a name of its own");
                }
                if (!rule.getAdditionalProperties().isEmpty()) {
                    problems.add(name + ": unknown keys " + rule.getAdditionalProperties().keySet());
                }
                if (rule.getExpr() == null || rule.getExpr().getStrVal() == null
                        || rule.getExpr().getStrVal().isBlank()) {
                    problems.add(name + ": no expr");
                }
                if (rule.getFor() == null || rule.getFor().isEmpty() || !DURATION.matcher(rule.getFor()).matches()) {
                    problems.add(name + ": for is '" + rule.getFor() + "', not a Prometheus duration such as 5m");
                }
                Map<String, String> labels = rule.getLabels() == null ? Map.of() : rule.getLabels();
                if (!Set.of("warning", "critical").contains(labels.get("severity"))) {
                    problems.add(name + ": severity is " + labels.get("severity") + ", expected warning or critical");
                }
                Map<String, String> annotations = rule.getAnnotations() == null ? Map.of() : rule.getAnnotations();
                for (String annotation : List.of("summary", "description", "runbook_url")) {
                    if (annotations.getOrDefault(annotation, "").isBlank()) {
                        problems.add(name + ": no annotations." + annotation);
                    }
                }
                String runbook = annotations.getOrDefault("runbook_url", "");
                if (!runbook.isBlank() && !RUNBOOK.matcher(runbook).matches()) {
                    problems.add(name + ": runbook_url " + runbook + " is not docs/operations.md#<anchor>");
                }
            }
        }
        assertTrue(problems.isEmpty(), () -> ALERTS + ":\n  " + String.join("\n  ", problems));
    }

    @Test
    void everyRunbookHasItsSectionInOperationsMd() throws IOException {
        Path operations = root.resolve(OPERATIONS);
        Set<String> anchors = new TreeSet<>();
        if (Files.isRegularFile(operations)) {
            for (String line : Files.readAllLines(operations, StandardCharsets.UTF_8)) {
                if (line.startsWith("#")) {
                    // GitHub's anchor: lower case, punctuation dropped, spaces as hyphens
                    anchors.add(line.replaceFirst("^#+\\s*", "").trim().toLowerCase(Locale.ROOT)
                            .replaceAll("[^\\p{L}\\p{N} _-]", "").replace(' ', '-'));
                }
            }
        }
        List<String> missing = rules().stream()
                .map(rule -> rule.getAnnotations() == null ? "" : rule.getAnnotations().getOrDefault("runbook_url", ""))
                .filter(url -> url.contains("#"))
                .map(url -> url.substring(url.indexOf('#') + 1))
                .filter(anchor -> !anchors.contains(anchor)).distinct().toList();
        assertTrue(missing.isEmpty(), () -> OPERATIONS + " has no heading for the runbook anchors " + missing
                + " that " + ALERTS + " links to");
    }

    @Test
    void rulesQueryPublishedMetricsAndLabels() {
        List<String> problems = new ArrayList<>();
        for (Rule rule : rules()) {
            String where = "alert " + rule.getAlert();
            PromQl.Query query = parse(where, rule.getExpr().getStrVal(), problems);
            if (query == null) {
                continue;
            }
            problems.addAll(checkNames(where, query));
            Set<String> output = outputLabels(query);
            Map<String, String> annotations = rule.getAnnotations() == null ? Map.of() : rule.getAnnotations();
            annotations.forEach((annotation, text) -> {
                Matcher label = TEMPLATE_LABEL.matcher(text);
                while (label.find()) {
                    if (!output.contains(label.group(1))) {
                        problems.add(where + ": annotations." + annotation + " uses $labels." + label.group(1)
                                + ", which the expression's result does not have " + output);
                    }
                }
            });
        }
        assertTrue(problems.isEmpty(), () -> ALERTS + ":\n  " + String.join("\n  ", problems));
    }

    @Test
    void theAlertsOperationsReliesOnExist() throws IOException {
        String open = breakerOpenValue();
        Map<String, Predicate<Rule>> wanted = new LinkedHashMap<>();
        wanted.put("5xx share of http_server_requests above 5% for 5m", rule -> uses(rule,
                "http_server_requests_seconds_count") && expr(rule).contains("status=~\"5..\"")
                && expr(rule).matches("(?s).*>\\s*0\\.05\\b.*") && "5m".equals(rule.getFor()));
        wanted.put("tollgate_provider_breaker_state == " + open + " (open) for 2m", rule -> uses(rule,
                "tollgate_provider_breaker_state") && expr(rule).matches("(?s).*==\\s*" + open + "\\b.*")
                && "2m".equals(rule.getFor()));
        wanted.put("outbox rows pending", rule -> uses(rule, "tollgate_outbox_pending"));
        wanted.put("outbox not draining", rule -> uses(rule, "tollgate_outbox_pending")
                && uses(rule, "tollgate_outbox_published_total"));
        wanted.put("outbox publish failures", rule -> uses(rule, "tollgate_outbox_publish_failures_total"));
        wanted.put("erasure deadline missed", rule -> uses(rule, "tollgate_account_erasures_overdue")
                && rule.getLabels() != null && "critical".equals(rule.getLabels().get("severity")));
        wanted.put("metering ledger lag", rule -> uses(rule, "tollgate_ledger_lag_seconds"));
        wanted.put("quota gate's Redis unavailable", rule -> uses(rule, "tollgate_gate_redis_unavailable_total"));
        wanted.put("a service down (up == 0)", rule -> uses(rule, "up") && expr(rule).matches("(?s).*==\\s*0\\b.*"));
        wanted.put("Stripe tasks piling up", rule -> uses(rule, "tollgate_billing_stripe_tasks_waiting"));
        List<String> missing = wanted.entrySet().stream()
                .filter(fact -> rules().stream().noneMatch(fact.getValue()))
                .map(Map.Entry::getKey).toList();
        assertTrue(missing.isEmpty(), () -> ALERTS + " has no alert on: " + String.join("; ", missing));
    }

    @Test
    void prometheusRuleHoldsTheSameGroupsAsAlertsYml() throws IOException {
        JsonNode manifest = YAML.readTree(root.resolve(PROMETHEUS_RULE).toFile());
        PrometheusRule rule = YAML.treeToValue(manifest, PrometheusRule.class);
        assertEquals("monitoring.coreos.com/v1", rule.getApiVersion(), PROMETHEUS_RULE + ": apiVersion");
        assertEquals("PrometheusRule", rule.getKind(), PROMETHEUS_RULE + ": kind");
        assertTrue(rule.getMetadata() != null && rule.getMetadata().getName() != null,
                PROMETHEUS_RULE + ": metadata.name is missing");
        assertTrue(rule.getAdditionalProperties().isEmpty() && rule.getSpec().getAdditionalProperties().isEmpty(),
                () -> PROMETHEUS_RULE + ": unknown keys " + rule.getAdditionalProperties().keySet() + " "
                        + rule.getSpec().getAdditionalProperties().keySet());
        List<String> differences = new ArrayList<>();
        JsonNode ours = alerts.path("groups");
        JsonNode theirs = manifest.path("spec").path("groups");
        for (int i = 0; i < Math.max(ours.size(), theirs.size()); i++) {
            JsonNode a = ours.path(i);
            JsonNode b = theirs.path(i);
            if (!a.path("name").equals(b.path("name"))) {
                differences.add("group " + i + " is " + a.path("name") + " in alerts.yml but " + b.path("name"));
                continue;
            }
            for (int j = 0; j < Math.max(a.path("rules").size(), b.path("rules").size()); j++) {
                if (!a.path("rules").path(j).equals(b.path("rules").path(j))) {
                    differences.add("group " + a.path("name").asText() + ", rule " + j + " ("
                            + a.path("rules").path(j).path("alert").asText("none") + " / "
                            + b.path("rules").path(j).path("alert").asText("none") + ") differs");
                }
            }
            if (!withoutRules(a).equals(withoutRules(b))) {
                differences.add("group " + a.path("name").asText() + " differs outside its rules");
            }
        }
        assertTrue(differences.isEmpty(), () -> PROMETHEUS_RULE + "'s spec.groups must equal " + ALERTS
                + "'s groups:\n  " + String.join("\n  ", new LinkedHashSet<>(differences)));
        assertEquals(ruleGroups(ours), rule.getSpec().getGroups(), "the groups read into the PrometheusRule model");
    }

    @Test
    void kustomizationShipsTheRulesAndTheDashboardForGrafanasSidecar() throws IOException {
        Path folder = root.resolve(KUSTOMIZATION).getParent();
        JsonNode kustomization = YAML.readTree(root.resolve(KUSTOMIZATION).toFile());
        List<String> problems = new ArrayList<>();
        List<String> resources = new ArrayList<>();
        kustomization.path("resources").forEach(resource -> resources.add(resource.asText()));
        if (!resources.contains(root.resolve(PROMETHEUS_RULE).getFileName().toString())) {
            problems.add("resources " + resources + " do not list prometheus-rule.yaml");
        }
        resources.stream().filter(resource -> !Files.isRegularFile(folder.resolve(resource)))
                .forEach(resource -> problems.add("resource " + resource + " does not exist in " + folder));
        JsonNode generator = null;
        for (JsonNode candidate : kustomization.path("configMapGenerator")) {
            for (JsonNode file : candidate.path("files")) {
                String path = file.asText().substring(file.asText().indexOf('=') + 1);
                Path resolved = folder.resolve(path).normalize();
                if (!resolved.startsWith(folder)) {
                    problems.add("configMapGenerator file " + path + " lies outside " + folder
                            + ", which kustomize refuses to read");
                } else if (resolved.equals(root.resolve(DASHBOARD).normalize())) {
                    generator = candidate;
                }
            }
        }
        if (generator == null) {
            problems.add("no configMapGenerator takes " + DASHBOARD);
        } else {
            JsonNode label = generator.path("options").path("labels").path("grafana_dashboard");
            if (!label.isTextual() || !"1".equals(label.asText())) {
                problems.add("the dashboard's ConfigMap is not labelled grafana_dashboard: \"1\" (a string) for "
                        + "Grafana's sidecar, it has " + label);
            }
        }
        assertTrue(problems.isEmpty(), () -> KUSTOMIZATION + ":\n  " + String.join("\n  ", problems));
    }

    // ---------------------------------------------------------------------------------------------- helpers

    private static Set<String> labels(String metric) {
        Meter meter = metrics.get(metric);
        assertTrue(meter != null, () -> metric + " is not among the meters read from the sources: " + metrics.keySet());
        return meter.labels();
    }

    private static List<JsonNode> panels() {
        List<JsonNode> all = new ArrayList<>();
        for (JsonNode panel : dashboard.path("panels")) {
            all.add(panel);
            panel.path("panels").forEach(all::add);
        }
        return all;
    }

    /** The rows by title, each with the panels under it (a collapsed row keeps them in its own panels). */
    private static Map<String, List<JsonNode>> rows() {
        Map<String, List<JsonNode>> rows = new LinkedHashMap<>();
        List<JsonNode> current = new ArrayList<>();
        rows.put("(above the first row)", current);
        for (JsonNode panel : dashboard.path("panels")) {
            if ("row".equals(panel.path("type").asText())) {
                current = new ArrayList<>();
                panel.path("panels").forEach(current::add);
                rows.put(panel.path("title").asText(), current);
            } else {
                current.add(panel);
            }
        }
        if (rows.get("(above the first row)").isEmpty()) {
            rows.remove("(above the first row)");
        }
        return rows;
    }

    private static JsonNode withoutRules(JsonNode group) {
        return group.isObject() ? ((ObjectNode) group.deepCopy()).without("rules") : group;
    }

    private static List<RuleGroup> ruleGroups(JsonNode groups) {
        return YAML.convertValue(groups, new TypeReference<List<RuleGroup>>() {
        });
    }

    private static List<Rule> rules() {
        List<RuleGroup> groups = ruleGroups(alerts.path("groups"));
        return groups == null ? List.of()
                : groups.stream()
                        .flatMap(group -> group.getRules() == null ? Stream.of() : group.getRules().stream()).toList();
    }

    private static String expr(Rule rule) {
        return rule.getExpr().getStrVal();
    }

    private static boolean uses(Rule rule, String metric) {
        PromQl.Query query = parse("alert " + rule.getAlert(), expr(rule), new ArrayList<>());
        return query != null && query.selectors().stream().anyMatch(selector -> selector.metric().equals(metric));
    }

    private static PromQl.Query parse(String where, String expr, List<String> problems) {
        try {
            return PromQl.parse(expr);
        } catch (IllegalArgumentException e) {
            problems.add(where + ": " + e.getMessage() + " in " + expr);
            return null;
        }
    }

    /** Every metric the query selects exists, and every label it matches or groups by is one of theirs. */
    private static List<String> checkNames(String where, PromQl.Query query) {
        List<String> problems = new ArrayList<>();
        Set<String> known = new TreeSet<>(TARGET_LABELS);
        for (PromQl.Selector selector : query.selectors()) {
            Set<String> own = allowedLabels(selector.metric());
            if (own == null) {
                problems.add(where + ": " + selector.metric() + " is not a metric the services publish"
                        + nearest(selector.metric()));
                continue;
            }
            known.addAll(own);
            selector.matchers().keySet().stream().filter(label -> !own.contains(label))
                    .forEach(label -> problems.add(where + ": " + selector.metric() + " has no label " + label
                            + " (it has " + new TreeSet<>(own) + ")"));
        }
        if (!problems.isEmpty()) {
            return problems;
        }
        query.grouping().stream().filter(label -> !known.contains(label))
                .forEach(label -> problems.add(where + ": groups or matches on " + label
                        + ", a label none of its metrics has " + known));
        return problems;
    }

    private static Set<String> allowedLabels(String metric) {
        Set<String> own = metrics.containsKey(metric) ? metrics.get(metric).labels() : PLATFORM_METRICS.get(metric);
        if (own == null) {
            return null;
        }
        Set<String> allowed = new TreeSet<>(own);
        allowed.addAll(TARGET_LABELS);
        return allowed;
    }

    /** The labels of the query's result: its grouping labels once it aggregates, its metrics' labels otherwise. */
    private static Set<String> outputLabels(PromQl.Query query) {
        if (query.aggregates()) {
            return new TreeSet<>(query.grouping());
        }
        Set<String> labels = new TreeSet<>(TARGET_LABELS);
        query.selectors().forEach(selector -> {
            Set<String> own = allowedLabels(selector.metric());
            if (own != null) {
                labels.addAll(own);
            }
        });
        return labels;
    }

    /** The three published names closest to a name that is not published, to point at a typo or a rename. */
    private static String nearest(String metric) {
        List<String> names = Stream.concat(metrics.keySet().stream(), PLATFORM_METRICS.keySet().stream())
                .sorted((x, y) -> Integer.compare(distance(metric, x), distance(metric, y))).limit(3).toList();
        return " (closest: " + String.join(", ", names) + ")";
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            int[] current = new int[b.length() + 1];
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int substitution = previous[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                current[j] = Math.min(substitution, Math.min(previous[j], current[j - 1]) + 1);
            }
            previous = current;
        }
        return previous[b.length()];
    }

    /** The value {@code tollgate_provider_breaker_state} takes for an open breaker, read where the gauge is set. */
    private static String breakerOpenValue() throws IOException {
        Meter breaker = metrics.get("tollgate_provider_breaker_state");
        assertTrue(breaker != null, "no service declares tollgate.provider.breaker.state");
        Matcher open = Pattern.compile("\\bOPEN\\s*->\\s*(\\d+)")
                .matcher(Files.readString(breaker.source(), StandardCharsets.UTF_8));
        if (!open.find()) {
            fail(breaker.source() + " declares tollgate.provider.breaker.state but no 'OPEN -> <value>' mapping");
        }
        return open.group(1);
    }

    private static Path findRoot(Path start) {
        for (Path dir = start; dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("mvnw")) && Files.isDirectory(dir.resolve("deploy"))) {
                return dir;
            }
        }
        throw new IllegalStateException("no repository root (with mvnw and deploy/) above " + start);
    }

    /**
     * One Prometheus metric a service publishes.
     *
     * @param name the name as scraped, e.g. {@code tollgate_generation_requests_total}
     * @param labels the tag keys given to Micrometer, plus {@code le} for buckets and {@code quantile} for
     *        percentiles (not the target labels Prometheus adds)
     * @param source the Java file that declares the meter
     */
    record Meter(String name, Set<String> labels, Path source) {
    }

    /**
     * Reads the meters the modules declare in their {@code src/main/java}: the string literal given as the name to
     * {@code registry.counter/timer/summary/gauge/gaugeMapSize/gaugeCollectionSize} or to
     * {@code Counter/Timer/DistributionSummary/Gauge.builder}, the tag keys passed along (literal keys,
     * {@code Tag.of("key", ...)}, {@code .tag("key", ...)}), a builder's {@code baseUnit} and whether it publishes a
     * histogram or percentiles; then names each the way Micrometer's Prometheus registry does: dots become
     * underscores, a base unit is appended, counters end in {@code _total}, timers in {@code _seconds_count/_sum/
     * _max} (and {@code _bucket} or the bare {@code _seconds} for a histogram or percentiles).
     */
    static final class MeterCatalogue {

        private static final Set<String> REGISTRY_CALLS = Set.of("counter", "timer", "summary", "gauge",
                "gaugeMapSize", "gaugeCollectionSize");
        private static final Set<String> BUILDERS = Set.of("Counter", "Timer", "DistributionSummary", "Gauge");

        private MeterCatalogue() {
        }

        static Map<String, Meter> read(Path root) throws IOException {
            JavaParser parser = new JavaParser(new ParserConfiguration().setLanguageLevel(LanguageLevel.JAVA_17));
            Map<String, Meter> found = new TreeMap<>();
            List<Path> sources;
            try (Stream<Path> modules = Files.list(root)) {
                sources = new ArrayList<>();
                for (Path module : modules.filter(dir -> Files.isDirectory(dir.resolve("src/main/java"))).toList()) {
                    try (Stream<Path> files = Files.walk(module.resolve("src/main/java"))) {
                        files.filter(file -> file.toString().endsWith(".java")).forEach(sources::add);
                    }
                }
            }
            for (Path source : sources) {
                ParseResult<CompilationUnit> parsed = parser.parse(Files.readString(source, StandardCharsets.UTF_8));
                CompilationUnit unit = parsed.getResult()
                        .orElseThrow(() -> new IllegalStateException(source + ": " + parsed.getProblems()));
                for (MethodCallExpr call : unit.findAll(MethodCallExpr.class)) {
                    declared(call).forEach(meter -> found.merge(meter.name(),
                            new Meter(meter.name(), meter.labels(), source), (a, b) -> new Meter(a.name(),
                                    union(a.labels(), b.labels()), a.source())));
                }
            }
            return found;
        }

        /** The Prometheus series one call declares, or none if it is not a meter registration. */
        private static List<Meter> declared(MethodCallExpr call) {
            String method = call.getNameAsString();
            boolean builder = "builder".equals(method) && call.getScope().filter(Expression::isNameExpr)
                    .map(scope -> BUILDERS.contains(((NameExpr) scope).getNameAsString())).orElse(false);
            boolean registry = REGISTRY_CALLS.contains(method) && call.getScope().isPresent();
            if (!(builder || registry) || call.getArguments().isEmpty()
                    || !call.getArgument(0).isStringLiteralExpr()) {
                return List.of();
            }
            String name = call.getArgument(0).asStringLiteralExpr().getValue();
            Set<String> tags = new TreeSet<>();
            String unit = null;
            boolean histogram = false;
            boolean percentiles = false;
            String type;
            if (builder) {
                type = ((NameExpr) call.getScope().orElseThrow()).getNameAsString();
                // the chain: Counter.builder("x").baseUnit("usd").tag("k", v)...register(registry)
                Node node = call;
                while (node.getParentNode().orElse(null) instanceof MethodCallExpr outer
                        && outer.getScope().orElse(null) == node) {
                    switch (outer.getNameAsString()) {
                        case "baseUnit" -> unit = literal(outer.getArgument(0));
                        case "tag" -> tags.add(literal(outer.getArgument(0)));
                        case "publishPercentileHistogram", "serviceLevelObjectives" -> histogram = true;
                        case "publishPercentiles" -> percentiles = true;
                        default -> {
                        }
                    }
                    outer.getArguments().forEach(argument -> tags.addAll(tagOfKeys(argument)));
                    node = outer;
                }
            } else {
                type = switch (method) {
                    case "counter" -> "Counter";
                    case "timer" -> "Timer";
                    case "summary" -> "DistributionSummary";
                    default -> "Gauge";
                };
                List<Expression> rest = call.getArguments().subList(1, call.getArguments().size());
                if (!"Gauge".equals(type) && !rest.isEmpty() && rest.get(0).isStringLiteralExpr()) {
                    for (int i = 0; i < rest.size(); i += 2) {
                        tags.add(literal(rest.get(i)));
                    }
                } else {
                    rest.forEach(argument -> tags.addAll(tagOfKeys(argument)));
                }
            }
            return prometheusSeries(name, type, unit, tags, histogram, percentiles);
        }

        private static List<Meter> prometheusSeries(String name, String type, String unit, Set<String> tags,
                boolean histogram, boolean percentiles) {
            String base = name.replaceAll("[^a-zA-Z0-9_]", "_");
            if (unit != null && !"Timer".equals(type) && !base.endsWith("_" + unit)) {
                base = base + "_" + unit;
            }
            List<String> names = new ArrayList<>();
            switch (type) {
                case "Counter" -> names.add(base.endsWith("_total") ? base : base + "_total");
                case "Gauge" -> names.add(base);
                default -> {
                    String stem = "Timer".equals(type) ? base + "_seconds" : base;
                    names.addAll(List.of(stem + "_count", stem + "_sum", stem + "_max"));
                    if (histogram) {
                        names.add(stem + "_bucket");
                    }
                    if (percentiles) {
                        names.add(stem);
                    }
                }
            }
            return names.stream().map(series -> {
                Set<String> labels = new TreeSet<>(tags);
                if (series.endsWith("_bucket") && histogram) {
                    labels.add("le");
                } else if (percentiles && !series.matches(".*_(count|sum|max|bucket)")) {
                    labels.add("quantile");
                }
                return new Meter(series, Set.copyOf(labels), null);
            }).toList();
        }

        /** The keys of {@code Tag.of("key", ...)} and {@code Tags.of("key", ...)} calls within an argument. */
        private static Set<String> tagOfKeys(Expression argument) {
            Set<String> keys = new TreeSet<>();
            List<MethodCallExpr> calls = new ArrayList<>(argument.findAll(MethodCallExpr.class));
            for (MethodCallExpr call : calls) {
                boolean tagOf = "of".equals(call.getNameAsString()) && call.getScope().filter(Expression::isNameExpr)
                        .map(scope -> Set.of("Tag", "Tags").contains(((NameExpr) scope).getNameAsString()))
                        .orElse(false);
                if (tagOf) {
                    for (int i = 0; i < call.getArguments().size(); i += 2) {
                        if (call.getArgument(i).isStringLiteralExpr()) {
                            keys.add(call.getArgument(i).asStringLiteralExpr().getValue());
                        }
                    }
                }
            }
            return keys;
        }

        private static String literal(Expression expression) {
            if (expression instanceof StringLiteralExpr literal) {
                return literal.getValue();
            }
            throw new IllegalStateException("a meter's tag key or unit is not a string literal: " + expression
                    + " at " + expression.getRange().map(Object::toString).orElse("?"));
        }

        private static Set<String> union(Set<String> a, Set<String> b) {
            return Stream.concat(a.stream(), b.stream()).collect(Collectors.toCollection(TreeSet::new));
        }
    }

    /**
     * Reads what a PromQL expression refers to, without evaluating it: each selector's metric name and label
     * matchers, the labels it groups or matches on ({@code by}, {@code without}, {@code on}, {@code ignoring},
     * {@code group_left/right}), and whether it aggregates. It tokenizes the expression and fails on brackets that
     * do not balance, a selector without a metric name, a malformed matcher or a character PromQL does not use.
     */
    static final class PromQl {

        private static final Set<String> AGGREGATIONS = Set.of("sum", "min", "max", "avg", "group", "stddev",
                "stdvar", "count", "count_values", "bottomk", "topk", "quantile", "limitk", "limit_ratio");
        private static final Set<String> LABEL_LISTS = Set.of("by", "without", "on", "ignoring", "group_left",
                "group_right");
        private static final Set<String> KEYWORDS = Set.of("and", "or", "unless", "bool", "offset", "atan2", "inf",
                "nan");
        private static final Set<String> MATCH_OPERATORS = Set.of("=", "!=", "=~", "!~");

        /**
         * What an expression selects.
         *
         * @param selectors the metric selectors in order
         * @param grouping the labels named in by/without/on/ignoring/group_left/group_right lists
         * @param aggregates whether any aggregation operator applies
         */
        record Query(List<Selector> selectors, Set<String> grouping, boolean aggregates) {
        }

        /**
         * One metric selector.
         *
         * @param metric the metric name
         * @param matchers each matched label with its operator and value, e.g. {@code job -> =~$service}
         */
        record Selector(String metric, Map<String, String> matchers) {
        }

        private PromQl() {
        }

        static Query parse(String expr) {
            List<String> tokens = tokenize(expr);
            List<Selector> selectors = new ArrayList<>();
            Set<String> grouping = new TreeSet<>();
            boolean aggregates = false;
            for (int i = 0; i < tokens.size(); i++) {
                String token = tokens.get(i);
                String next = i + 1 < tokens.size() ? tokens.get(i + 1) : "";
                if ("[".equals(token)) {
                    i = skipTo(tokens, i, "]");
                } else if ("{".equals(token)) {
                    throw new IllegalArgumentException("a selector without a metric name");
                } else if (isIdentifier(token)) {
                    if (LABEL_LISTS.contains(token)) {
                        if ("(".equals(next)) {
                            int end = skipTo(tokens, i, ")");
                            tokens.subList(i + 2, end).stream().filter(t -> !",".equals(t)).forEach(label -> {
                                if (!isIdentifier(label)) {
                                    throw new IllegalArgumentException("'" + label + "' in " + token + " (...)");
                                }
                                grouping.add(label);
                            });
                            i = end;
                        }
                    } else if (AGGREGATIONS.contains(token)) {
                        aggregates = true;
                    } else if (!"(".equals(next) && !KEYWORDS.contains(token)) {
                        Map<String, String> matchers = new TreeMap<>();
                        if ("{".equals(next)) {
                            int end = skipTo(tokens, i + 1, "}");
                            readMatchers(tokens.subList(i + 2, end), matchers);
                            i = end;
                        }
                        selectors.add(new Selector(token, matchers));
                    }
                }
            }
            if (selectors.isEmpty()) {
                throw new IllegalArgumentException("no metric selected");
            }
            return new Query(List.copyOf(selectors), grouping, aggregates);
        }

        private static void readMatchers(List<String> tokens, Map<String, String> matchers) {
            Iterator<String> it = tokens.iterator();
            while (it.hasNext()) {
                String label = it.next();
                String operator = it.hasNext() ? it.next() : "";
                String value = it.hasNext() ? it.next() : "";
                if (!isIdentifier(label) || !MATCH_OPERATORS.contains(operator) || !value.startsWith("\"")) {
                    throw new IllegalArgumentException("malformed matcher '" + label + operator + value + "'");
                }
                matchers.put(label, operator + value.substring(1, value.length() - 1));
                if (it.hasNext() && !",".equals(it.next())) {
                    throw new IllegalArgumentException("matchers must be separated by commas");
                }
            }
        }

        private static int skipTo(List<String> tokens, int from, String close) {
            for (int i = from + 1; i < tokens.size(); i++) {
                if (close.equals(tokens.get(i))) {
                    return i;
                }
            }
            throw new IllegalArgumentException("no closing " + close);
        }

        private static boolean isIdentifier(String token) {
            return token.matches("[a-zA-Z_:][a-zA-Z0-9_:]*");
        }

        private static List<String> tokenize(String expr) {
            List<String> tokens = new ArrayList<>();
            StringBuilder open = new StringBuilder();
            int i = 0;
            while (i < expr.length()) {
                char c = expr.charAt(i);
                int start = i;
                if (Character.isWhitespace(c)) {
                    i++;
                    continue;
                }
                if (c == '"' || c == '\'' || c == '`') {
                    i++;
                    while (i < expr.length() && expr.charAt(i) != c) {
                        i += expr.charAt(i) == '\\' ? 2 : 1;
                    }
                    if (i >= expr.length()) {
                        throw new IllegalArgumentException("a string that does not end");
                    }
                    i++;
                    tokens.add("\"" + expr.substring(start + 1, i - 1) + "\"");
                    continue;
                }
                if (Character.isLetter(c) || c == '_' || c == ':') {
                    while (i < expr.length() && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '_'
                            || expr.charAt(i) == ':')) {
                        i++;
                    }
                } else if (Character.isDigit(c) || c == '.') {
                    while (i < expr.length() && (Character.isLetterOrDigit(expr.charAt(i)) || expr.charAt(i) == '.')) {
                        i++;
                    }
                } else if (c == '$') {
                    i++;
                    while (i < expr.length() && (Character.isLetterOrDigit(expr.charAt(i)) || "_{}".indexOf(
                            expr.charAt(i)) >= 0)) {
                        i++;
                    }
                } else if (i + 1 < expr.length() && Set.of("=~", "!~", "!=", "==", ">=", "<=")
                        .contains(expr.substring(i, i + 2))) {
                    i += 2;
                } else if ("(){}[],+-*/%^<>=@".indexOf(c) >= 0) {
                    i++;
                    if ("([{".indexOf(c) >= 0) {
                        open.append(c);
                    } else if (")]}".indexOf(c) >= 0) {
                        char expected = "([{".charAt(")]}".indexOf(c));
                        if (open.isEmpty() || open.charAt(open.length() - 1) != expected) {
                            throw new IllegalArgumentException("'" + c + "' at " + start + " closes nothing open");
                        }
                        open.setLength(open.length() - 1);
                    }
                } else {
                    throw new IllegalArgumentException("unexpected '" + c + "' at " + start);
                }
                tokens.add(expr.substring(start, i));
            }
            if (!open.isEmpty()) {
                throw new IllegalArgumentException("'" + open + "' left open");
            }
            return tokens;
        }
    }
}
