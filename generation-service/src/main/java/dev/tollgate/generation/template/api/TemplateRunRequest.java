package dev.tollgate.generation.template.api;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * {@code POST /generations}: a template by name and its input.
 *
 * @param async answer 202 at once and run in the background (as {@code Prefer: respond-async} does)
 */
public record TemplateRunRequest(String template, JsonNode input, Boolean async) {
}
