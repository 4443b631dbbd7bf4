package dev.tollgate.generation.history.api;

import java.util.List;

/** A page of the caller's history, newest first. {@code total} counts every page. */
public record GenerationPage(List<GenerationView> items, int page, int size, long total) {
}
