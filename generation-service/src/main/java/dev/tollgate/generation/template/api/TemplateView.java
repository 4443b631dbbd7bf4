package dev.tollgate.generation.template.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;

/** A template as clients see it: what to send as {@code input} and what {@code result} comes back. */
public record TemplateView(String name, String title, String description, List<String> models, JsonNode input,
        JsonNode output) {
}
