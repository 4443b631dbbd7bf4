package dev.tollgate.common.request;

import dev.tollgate.common.error.ProblemShape;
import io.quarkiverse.resteasy.problem.HttpProblem;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Answers a request refused before the REST layer sees it (a path it must not match, a body too large) with a
 * problem, as the REST layer would: problem+json naming the request's id, or the service's own shape for the path
 * ({@link ProblemShape}: OpenAI's envelope on {@code /v1}), and a log line as every problem has.
 */
@ApplicationScoped
public class EarlyAnswers {

    private static final Logger LOG = Logger.getLogger("http-problem");

    private final Instance<ProblemShape> shapes;

    public EarlyAnswers(Instance<ProblemShape> shapes) {
        this.shapes = shapes;
    }

    /** Ends {@code request} with {@code problem}; the connection is closed when {@code close}. */
    public void refuse(RoutingContext request, HttpProblem problem, boolean close) {
        String path = request.request().path();
        Optional<Map<String, Object>> shaped = shapes.stream().map(shape -> shape.body(path, problem))
                .flatMap(Optional::stream).findFirst();
        JsonObject body;
        if (shaped.isPresent()) {
            body = new JsonObject(shaped.get());
        } else {
            body = new JsonObject().put("type", problem.getType().toString()).put("title", problem.getTitle())
                    .put("status", problem.getStatusCode()).put("detail", problem.getDetail())
                    .put("instance", path);
            String id = request.get(RequestIds.KEY);
            if (id != null) {
                body.put(RequestIds.KEY, id);
            }
        }
        LOG.infof("status=%d, title=\"%s\", detail=\"%s\"", problem.getStatusCode(), problem.getTitle(),
                problem.getDetail());
        request.response().setStatusCode(problem.getStatusCode())
                .putHeader("Content-Type", shaped.isPresent() ? "application/json" : "application/problem+json");
        if (close) {
            // the rest of the body is not read: the connection ends with the answer
            request.response().putHeader("Connection", "close");
            request.response().end(body.encode()).onComplete(ended -> request.request().connection().close());
        } else {
            request.response().end(body.encode());
        }
    }
}
