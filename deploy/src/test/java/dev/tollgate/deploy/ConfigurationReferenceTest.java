package dev.tollgate.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.github.javaparser.JavaParser;
import com.github.javaparser.ParserConfiguration;
import com.github.javaparser.ParserConfiguration.LanguageLevel;
import com.github.javaparser.ast.CompilationUnit;
import dev.tollgate.deploy.ConfigReferenceMapping.Property;
import dev.tollgate.deploy.ConfigReferenceSources.Module;
import dev.tollgate.deploy.ConfigReferenceSources.SourceFile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * docs/configuration.md is generated from the {@code @ConfigMapping} interfaces of {@code common} and the
 * services, and must not drift from them: this test parses those sources (JavaParser), renders the page and
 * compares it with the committed one. With {@code -Dtollgate.docs.write=true} (or {@code TOLLGATE_DOCS_WRITE=1}
 * in the environment) it writes the page instead. It also fails while a property has no Javadoc, because the
 * reference is only as good as the descriptions it copies. The parser itself is checked on a sample mapping
 * (groups, maps, optionals, lists, {@code @WithName}, defaults, enums, Javadoc with inline tags) and on a type it
 * must refuse, and the readers on mappings whose users are known.
 */
class ConfigurationReferenceTest {

    private static final String PAGE = "docs/configuration.md";

    private static ConfigReferenceSources sources;
    private static List<ConfigReferenceMapping> mappings;
    private static List<ConfigReferenceSingle> singles;
    private static ConfigReferenceReaders readers;

    @BeforeAll
    static void readSources() throws IOException {
        sources = ConfigReferenceSources.load(ConfigReferenceSources.findRoot(Path.of("")));
        ConfigReferenceParser parser = new ConfigReferenceParser();
        List<ConfigReferenceMapping> found = new ArrayList<>();
        List<ConfigReferenceSingle> foundSingles = new ArrayList<>();
        for (Module module : sources.modules()) {
            List<ConfigReferenceMapping> own = new ArrayList<>();
            for (SourceFile file : module.sources()) {
                own.addAll(parser.mappings(file.unit(), module.name(), file.path()));
                foundSingles.addAll(parser.singles(file.unit(), module.name(), file.path()));
            }
            own.sort(Comparator.comparing(ConfigReferenceMapping::prefix));
            found.addAll(own);
        }
        mappings = List.copyOf(found);
        foundSingles.sort(Comparator.comparing(ConfigReferenceSingle::name));
        singles = List.copyOf(foundSingles);
        readers = new ConfigReferenceReaders(sources);
    }

    @Test
    void configurationPageMatchesTheSources() throws IOException {
        Map<ConfigReferenceMapping, List<String>> byMapping = new LinkedHashMap<>();
        mappings.forEach(mapping -> byMapping.put(mapping, readers.readers(mapping)));
        String rendered = new ConfigReferenceRenderer(sources.modules()).render(mappings, byMapping::get, singles,
                single -> readers.readersOfFile(single.module(), single.sourcePath()));
        Path page = sources.root().resolve(PAGE);
        if (Boolean.getBoolean("tollgate.docs.write") || "1".equals(System.getenv("TOLLGATE_DOCS_WRITE"))) {
            Files.writeString(page, rendered, StandardCharsets.UTF_8);
            return;
        }
        // a checkout that turned line ends into CRLF still matches
        String committed = Files.isRegularFile(page)
                ? Files.readString(page, StandardCharsets.UTF_8).replace("\r\n", "\n")
                : "";
        if (!committed.equals(rendered)) {
            fail(PAGE + " is out of date: regenerate with " + ConfigReferenceRenderer.REGENERATE
                    + firstDifference(committed, rendered));
        }
    }

    @Test
    void everyPropertyHasADescription() {
        List<String> missing = new ArrayList<>();
        for (ConfigReferenceMapping mapping : mappings) {
            for (Property property : mapping.properties()) {
                if (property.description().isBlank()) {
                    missing.add(mapping.sourcePath() + ":" + property.line() + " " + property.declaredAt() + " ("
                            + property.name() + ")");
                }
            }
        }
        assertTrue(missing.isEmpty(), "properties without a Javadoc description, so with an empty line in " + PAGE
                + ":\n  " + String.join("\n  ", missing));
    }

    @Test
    void findsTheMappingsOfCommonAndOfEachService() {
        Map<String, String> moduleByPrefix = mappings.stream()
                .collect(Collectors.toMap(ConfigReferenceMapping::prefix, ConfigReferenceMapping::module));
        assertEquals("quota-gate", moduleByPrefix.get("tollgate.gate"));
        assertEquals("common", moduleByPrefix.get("tollgate.outbox"));
        assertEquals("common", moduleByPrefix.get("tollgate.tokens"));
        for (Module service : sources.services()) {
            assertTrue(moduleByPrefix.containsValue(service.name()), service.name() + " has no mapping of its own");
        }
        assertEquals(List.of("auth-service", "billing-service", "generation-service", "metering-service",
                "account-service"), sources.services().stream().map(Module::name).collect(Collectors.toList()),
                "services in the order of their ports");
    }

    @Test
    void servicesReadCommonMappingsTheyUseAndTheirOwnOnly() {
        List<String> all = sources.services().stream().map(Module::name).collect(Collectors.toList());
        // the outbox relay is a scheduled job: it runs, and reads its configuration, in every service
        assertEquals(all, readers.readers(mapping("tollgate.outbox")));
        // the quota gate is called on the metered paths of generation and by metering's reconciliation only
        assertEquals(List.of("generation-service", "metering-service"), readers.readers(mapping("tollgate.gate")));
        assertEquals(List.of("billing-service"), readers.readers(mapping("tollgate.billing")));
    }

    @Test
    void listsTheKeysInjectedOneByOne() {
        ConfigReferenceSingle cacheTtl = singles.stream()
                .filter(single -> single.name().equals("tollgate.plans.cache-ttl")).findFirst()
                .orElseThrow(() -> new AssertionError("tollgate.plans.cache-ttl not found: " + singles));
        assertEquals("duration", cacheTtl.type());
        assertEquals(Optional.of("5s"), cacheTtl.defaultValue());
        assertEquals("TOLLGATE_PLANS_CACHE_TTL", cacheTtl.envVar());
        // TenantPlans keeps tenants' plans for the services that apply subscription.changed
        assertEquals(List.of("generation-service", "metering-service"),
                readers.readersOfFile(cacheTtl.module(), cacheTtl.sourcePath()));
    }

    @Test
    void parsesGroupsMapsOptionalsListsNamesAndDefaults() {
        String source = """
                package example;

                import io.smallrye.config.ConfigMapping;
                import io.smallrye.config.WithDefault;
                import io.smallrye.config.WithName;
                import java.time.Duration;
                import java.util.List;
                import java.util.Map;
                import java.util.Optional;

                /** What the sample does. More about it. */
                @ConfigMapping(prefix = "sample")
                public interface SampleConfig {

                    /** How long to wait, e.g. {@code 5s}; then it gives up. Second sentence. */
                    @WithDefault("5s")
                    Duration waitTimeout();

                    /** The hosts. */
                    @WithName("host-names")
                    Optional<List<String>> hosts();

                    /** Clients by id. */
                    Map<String, Client> clients();

                    /** Limits by {@code {metric}}. */
                    Map<String, Long> limits();

                    Nested nested();

                    /** Not a property. */
                    default int twice() {
                        return 2;
                    }

                    interface Client {
                        /** The client's {@link java.net.URI address}. */
                        String baseURL();

                        /** What happens without it. */
                        @WithDefault("refuse")
                        Mode mode();
                    }

                    interface Nested {
                        int undocumented();
                    }

                    enum Mode { REFUSE, ADMIT_ALL }
                }
                """;
        List<ConfigReferenceMapping> parsed = new ConfigReferenceParser().mappings(parse(source), "sample",
                "sample/SampleConfig.java");

        assertEquals(1, parsed.size());
        ConfigReferenceMapping sample = parsed.get(0);
        assertEquals("What the sample does.", sample.description());
        assertEquals(List.of("sample.wait-timeout", "sample.host-names", "sample.clients.<name>.base-url",
                "sample.clients.<name>.mode", "sample.limits.<name>", "sample.nested.undocumented"),
                sample.properties().stream().map(Property::name).collect(Collectors.toList()));

        Property wait = sample.properties().get(0);
        assertEquals("duration", wait.type());
        assertEquals(Optional.of("5s"), wait.defaultValue());
        assertEquals("How long to wait, e.g. `5s`; then it gives up.", wait.description());
        assertEquals("SAMPLE_WAIT_TIMEOUT", wait.envVar());

        Property hosts = sample.properties().get(1);
        assertEquals("comma-separated strings", hosts.type());
        assertTrue(hosts.optional());

        Property url = sample.properties().get(2);
        assertEquals("SAMPLE_CLIENTS_<NAME>_BASE_URL", url.envVar());
        assertEquals("The client's address.", url.description());
        assertTrue(url.inMap());
        assertFalse(url.optional());
        assertEquals("one of `refuse`, `admit-all`", sample.properties().get(3).type());
        assertEquals("integer", sample.properties().get(4).type());
        assertEquals("Limits by `{metric}`.", sample.properties().get(4).description());
        assertEquals("*none*", ConfigReferenceRenderer.defaultOf(sample.properties().get(4)));
        assertEquals("*required* in each entry", ConfigReferenceRenderer.defaultOf(url));
        assertEquals("*required*", ConfigReferenceRenderer.defaultOf(sample.properties().get(5)));
        assertEquals("", sample.properties().get(5).description());
        assertEquals("SampleConfig.Nested.undocumented()", sample.properties().get(5).declaredAt());
    }

    @Test
    void refusesATypeItCannotDescribe() {
        String source = """
                package example;

                import io.smallrye.config.ConfigMapping;

                @ConfigMapping(prefix = "odd")
                public interface OddConfig {
                    /** A type from elsewhere. */
                    java.util.regex.Pattern pattern();
                }
                """;
        IllegalStateException refused = assertThrows(IllegalStateException.class,
                () -> new ConfigReferenceParser().mappings(parse(source), "odd", "odd/OddConfig.java"));
        assertTrue(refused.getMessage().contains("OddConfig.pattern()"), refused.getMessage());
    }

    @Test
    void anchorsFollowGithubRules() {
        assertEquals("tollgategate-gateconfig", ConfigReferenceRenderer.anchor("`tollgate.gate` (GateConfig)"));
        assertEquals("outbox-lag", ConfigReferenceRenderer.anchor("Outbox lag"));
    }

    private static ConfigReferenceMapping mapping(String prefix) {
        return mappings.stream().filter(mapping -> mapping.prefix().equals(prefix)).findFirst()
                .orElseThrow(() -> new AssertionError("no mapping " + prefix));
    }

    private static CompilationUnit parse(String source) {
        return new JavaParser(new ParserConfiguration().setLanguageLevel(LanguageLevel.JAVA_17)).parse(source)
                .getResult().orElseThrow();
    }

    private static String firstDifference(String committed, String rendered) {
        String[] was = committed.split("\n", -1);
        String[] now = rendered.split("\n", -1);
        for (int i = 0; i < Math.max(was.length, now.length); i++) {
            String before = i < was.length ? was[i] : "<end of file>";
            String after = i < now.length ? now[i] : "<end of file>";
            if (!before.equals(after)) {
                return "\nfirst difference at line " + (i + 1) + ":\n  committed: " + before
                        + "\n  generated: " + after;
            }
        }
        return "";
    }
}
