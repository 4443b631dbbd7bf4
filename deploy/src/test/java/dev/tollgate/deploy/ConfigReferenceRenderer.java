package dev.tollgate.deploy;

import dev.tollgate.deploy.ConfigReferenceMapping.Property;
import dev.tollgate.deploy.ConfigReferenceSources.Module;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * Writes docs/configuration.md: an introduction on how properties, environment variables and the tables work, an
 * index of the mappings, and one section per mapping with its prefix, source, readers and a table of its
 * properties. The output depends only on its input, so that the test can compare it with the committed page.
 */
final class ConfigReferenceRenderer {

    static final String REGENERATE = "./mvnw -pl deploy test -Dtest=ConfigurationReferenceTest -Dtollgate.docs.write=true";

    private final List<Module> modules;

    /** {@code modules}: common first, then the services; their shipped properties fill the "shipped" column. */
    ConfigReferenceRenderer(List<Module> modules) {
        this.modules = modules;
    }

    String render(List<ConfigReferenceMapping> mappings, Function<ConfigReferenceMapping, List<String>> readers,
            List<ConfigReferenceSingle> singles, Function<ConfigReferenceSingle, List<String>> singleReaders) {
        StringBuilder out = new StringBuilder();
        out.append("# Configuration reference\n\n");
        out.append("<!-- Generated from the @ConfigMapping interfaces by deploy's ConfigurationReferenceTest; do not"
                + " edit by hand. -->\n\n");
        out.append("Every `tollgate.*` property, generated from the `@ConfigMapping` interfaces in `common` and the"
                + " services (their method names, types, `@WithDefault` values and Javadoc) and from the few keys"
                + " injected one by one with `@ConfigProperty`. `ConfigurationReferenceTest`"
                + " (module `deploy`) fails when this page no longer matches the sources; regenerate it with\n\n");
        out.append("```sh\n").append(REGENERATE).append("\n```\n\n");
        out.append("How to read the tables:\n\n");
        out.append("- **property**: the key in `application.properties` (or `-D` on the command line); `<name>` is a"
                + " name you choose, a map key (a provider, a plan, a client). Below it, the same key as an"
                + " environment variable: upper case, every character other than a letter or a digit replaced by"
                + " `_` (`tollgate.gate.redis-timeout` is `TOLLGATE_GATE_REDIS_TIMEOUT`). The environment wins over"
                + " the properties files. A `<name>` of letters and digits may come from the environment alone,"
                + " read in lower case (`TOLLGATE_GENERATION_PROVIDERS_GROQ_BASE_URL` configures provider `groq`);"
                + " a name with a dash must appear in a properties file, and the environment then overrides its"
                + " values.\n");
        out.append("- **type**: a `duration` is a number with a unit (`500ms`, `30s`, `5m`, `24h`, `7d`) or ISO-8601"
                + " (`PT30S`, `P7D`); a comma-separated list is written `a,b,c`.\n");
        out.append("- **default**: the value when nothing sets the property. *required*: start-up fails, naming the"
                + " key, until something sets it (*in each entry*: in each `<name>` that is configured); *none*: it"
                + " may stay unset (an optional value, or a map with no entries).\n");
        out.append("- **shipped**: what the properties files in the repository set without a profile, which wins over"
                + " the default: `common`'s `META-INF/microprofile-config.properties` for every service, a service's"
                + " `application.properties` for that service. `${VAR}` reads the environment variable `VAR`,"
                + " `${VAR:x}` falls back to `x`.\n");
        out.append("- **read by**: the services whose code (or whose `common` code) uses the mapping. The services"
                + " of the suite all ship `common`, so its mappings are on every service's class path.\n\n");
        out.append("Quarkus' own keys (`quarkus.*`, `mp.messaging.*`, `kafka.bootstrap.servers`) are not here: each"
                + " service's README names the ones it sets, and [operations.md](operations.md#configuration) how"
                + " to set them in production.\n\n");
        out.append("| prefix | interface | read by |\n|---|---|---|\n");
        for (ConfigReferenceMapping mapping : mappings) {
            out.append("| [`").append(mapping.prefix()).append("`](#").append(anchor(heading(mapping))).append(") | `")
                    .append(mapping.interfaceName()).append("` | ").append(String.join(", ", readers.apply(mapping)))
                    .append(" |\n");
        }
        if (!singles.isEmpty()) {
            out.append("| [").append(singles.stream().map(single -> "`" + single.name() + "`")
                    .collect(Collectors.joining(", "))).append("](#").append(anchor(SINGLES_HEADING))
                    .append(") | `@ConfigProperty` | see there |\n");
        }
        for (ConfigReferenceMapping mapping : mappings) {
            out.append("\n## ").append(heading(mapping)).append("\n\n");
            if (!mapping.description().isEmpty()) {
                out.append(mapping.description()).append("\n\n");
            }
            List<String> mappingReaders = readers.apply(mapping);
            String fileName = mapping.sourcePath().substring(mapping.sourcePath().lastIndexOf('/') + 1);
            out.append("Declared in [").append(fileName).append("](../").append(mapping.sourcePath()).append(") (")
                    .append(mapping.module()).append("); read by ")
                    .append(mappingReaders.isEmpty() ? "no service" : String.join(", ", mappingReaders))
                    .append(".\n\n");
            out.append("| property | type | default | shipped | description |\n|---|---|---|---|---|\n");
            for (Property property : mapping.properties()) {
                out.append("| `").append(cell(property.name())).append("`<br>`").append(cell(property.envVar()))
                        .append("` | ").append(cell(property.type())).append(" | ").append(cell(defaultOf(property)))
                        .append(" | ").append(cell(shipped(property.name(), property.defaultValue(), mappingReaders)))
                        .append(" | ").append(cell(property.description())).append(" |\n");
            }
        }
        if (!singles.isEmpty()) {
            out.append("\n## ").append(SINGLES_HEADING).append("\n\n");
            out.append("Read with `@ConfigProperty` where they are used, outside the mappings above.\n\n");
            out.append("| property | type | default | shipped | read in | read by |\n|---|---|---|---|---|---|\n");
            for (ConfigReferenceSingle single : singles) {
                List<String> singleReaderList = singleReaders.apply(single);
                out.append("| `").append(cell(single.name())).append("`<br>`").append(cell(single.envVar()))
                        .append("` | ").append(cell(single.type())).append(" | ")
                        .append(single.defaultValue().map(value -> "`" + cell(value) + "`").orElse("*required*"))
                        .append(" | ").append(cell(shipped(single.name(), single.defaultValue(), singleReaderList)))
                        .append(" | [").append(single.declaredIn()).append("](../").append(single.sourcePath())
                        .append(") (").append(single.module()).append(") | ")
                        .append(String.join(", ", singleReaderList)).append(" |\n");
            }
        }
        return out.toString();
    }

    static final String SINGLES_HEADING = "Properties outside the mappings";

    /** A mapping's section heading: its prefix and interface. */
    static String heading(ConfigReferenceMapping mapping) {
        return "`" + mapping.prefix() + "` (" + mapping.interfaceName() + ")";
    }

    /** The anchor GitHub gives a heading: lower case, spaces to dashes, punctuation other than {@code -_} dropped. */
    static String anchor(String heading) {
        StringBuilder anchor = new StringBuilder();
        for (char c : heading.toLowerCase(Locale.ROOT).toCharArray()) {
            if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                anchor.append(c);
            } else if (c == ' ') {
                anchor.append('-');
            }
        }
        return anchor.toString();
    }

    /** The default column: the {@code @WithDefault} value, or whether the property must be set. */
    static String defaultOf(Property property) {
        if (property.defaultValue().isPresent()) {
            String value = property.defaultValue().get();
            return value.isEmpty() ? "empty" : "`" + value + "`";
        }
        if (property.optional() || property.name().endsWith(".<name>")) {
            return "*none*";
        }
        return property.inMap() ? "*required* in each entry" : "*required*";
    }

    /**
     * What the shipped properties files set for {@code property}, by module: the value, or for a key with
     * {@code <name>} segments each entry as {@code name=value}. A value equal to the default is left out.
     */
    private String shipped(String name, Optional<String> defaultValue, List<String> readers) {
        Pattern pattern = Pattern.compile(Pattern.quote(name).replace("<name>", "\\E([^.]+)\\Q"));
        List<String> parts = new ArrayList<>();
        for (Module module : modules) {
            boolean loads = module.name().equals("common") || readers.contains(module.name())
                    || (ConfigReferenceSources.isLibrary(module.name()) && !readers.isEmpty());
            if (!loads) {
                continue;
            }
            List<String> entries = new ArrayList<>();
            for (Map.Entry<String, String> entry : module.properties().entrySet()) {
                Matcher matcher = pattern.matcher(entry.getKey());
                if (!matcher.matches() || defaultValue.equals(Optional.of(entry.getValue()))) {
                    continue;
                }
                StringBuilder key = new StringBuilder();
                for (int group = 1; group <= matcher.groupCount(); group++) {
                    key.append(group > 1 ? "." : "").append(matcher.group(group));
                }
                String value = key.length() == 0 ? entry.getValue() : key + "=" + entry.getValue();
                entries.add("`" + value + "`");
            }
            if (!entries.isEmpty()) {
                parts.add(module.name() + ": " + String.join(", ", entries));
            }
        }
        return String.join("; ", parts);
    }

    private static String cell(String text) {
        return text.replace("|", "\\|").replace("\n", " ");
    }
}
