package dev.tollgate.generation.template;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import dev.tollgate.generation.config.GenerationConfig;
import io.quarkus.runtime.Startup;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The prompt templates on offer: the built-in ones ({@code templates/<name>.json} on the class path, named in
 * {@code tollgate.generation.templates.built-in}) and any {@code *.json} in {@code tollgate.generation.templates.dir}
 * (a file there replaces a built-in of the same name). Read and checked once at startup: a template whose
 * schemas do not parse stops the service with its file named.
 */
@ApplicationScoped
@Startup
public class PromptTemplates {

    private static final Logger LOG = Logger.getLogger(PromptTemplates.class);

    private final Map<String, PromptTemplate> templates;

    public PromptTemplates(GenerationConfig config, ObjectMapper json) {
        JsonSchemaFactory schemas = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
        Map<String, PromptTemplate> loaded = new LinkedHashMap<>();
        for (String name : config.templates().builtIn()) {
            String resource = "templates/" + name.trim() + ".json";
            try (InputStream in = Thread.currentThread().getContextClassLoader().getResourceAsStream(resource)) {
                if (in == null) {
                    throw new IllegalStateException("template " + name + ": no " + resource + " on the class path");
                }
                PromptTemplate template = parse(json.readTree(in), schemas, resource);
                loaded.put(template.name(), template);
            } catch (IOException e) {
                throw new UncheckedIOException("template " + resource + " cannot be read", e);
            }
        }
        config.templates().dir().ifPresent(dir -> {
            try (Stream<Path> files = Files.list(dir)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".json")).sorted().toList()) {
                    PromptTemplate template = parse(json.readTree(file.toFile()), schemas, file.toString());
                    loaded.put(template.name(), template);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("templates in " + dir + " cannot be read", e);
            }
        });
        this.templates = Map.copyOf(loaded);
        LOG.infof("templates: %s", new ArrayList<>(loaded.keySet()));
    }

    public Optional<PromptTemplate> named(String name) {
        return Optional.ofNullable(templates.get(name));
    }

    /** Every template, by name. */
    public List<PromptTemplate> all() {
        return templates.values().stream().sorted((a, b) -> a.name().compareTo(b.name())).toList();
    }

    private static PromptTemplate parse(JsonNode file, JsonSchemaFactory schemas, String source) {
        List<String> missing = Stream.of("name", "title", "models", "prompt", "input", "output")
                .filter(field -> !file.hasNonNull(field)).toList();
        if (!missing.isEmpty()) {
            throw new IllegalStateException("template " + source + " lacks " + missing);
        }
        List<String> models = new ArrayList<>();
        file.get("models").forEach(model -> models.add(model.asText()));
        try {
            return new PromptTemplate(file.get("name").asText(), file.get("title").asText(),
                    file.path("description").asText(""), List.copyOf(models), file.path("maxTokens").asInt(1024),
                    file.path("system").asText(""), file.get("prompt").asText(), file.get("input"), file.get("output"),
                    schemas.getSchema(file.get("input")), schemas.getSchema(file.get("output")));
        } catch (RuntimeException e) {
            throw new IllegalStateException("template " + source + ": its schemas do not parse: " + e.getMessage(), e);
        }
    }
}
