package dev.tollgate.common.error;

import io.quarkiverse.resteasy.problem.HttpProblem;
import java.util.Map;
import java.util.Optional;

/**
 * How a service writes a problem it answers outside its REST endpoints (a body refused before it is read): a service
 * whose API has an error format of its own for some paths (generation-service's OpenAI envelope on {@code /v1})
 * provides one; otherwise, and for other paths, the problem is problem+json.
 */
public interface ProblemShape {

    /** The body to answer {@code problem} with on {@code path}, or empty for problem+json. */
    Optional<Map<String, Object>> body(String path, HttpProblem problem);
}
