package dev.tollgate.generation.openai;

import dev.tollgate.common.error.ProblemShape;
import io.quarkiverse.resteasy.problem.HttpProblem;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Map;
import java.util.Optional;

/** A problem answered before the REST layer (a body too large) in OpenAI's envelope on {@code /v1}, as every other. */
@ApplicationScoped
public class OpenAiProblemShape implements ProblemShape {

    @Override
    public Optional<Map<String, Object>> body(String path, HttpProblem problem) {
        return OpenAiErrors.onOpenAiSurface(path) ? Optional.of(Map.of("error", OpenAiErrors.error(problem)))
                : Optional.empty();
    }
}
