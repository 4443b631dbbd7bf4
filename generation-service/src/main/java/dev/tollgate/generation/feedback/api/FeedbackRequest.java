package dev.tollgate.generation.feedback.api;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import jakarta.validation.constraints.Size;

/** A rating from 1 (useless) to 5 (just right), and what the user wants to say about it. */
public record FeedbackRequest(@NotNull @Min(1) @Max(5) Integer rating, @Size(max = 2000) String comment) {
}
