package dev.tollgate.generation.openai;

import dev.tollgate.common.error.Problems;
import dev.tollgate.common.request.RequestIds;
import io.quarkiverse.resteasy.problem.HttpProblem;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MediaType;
import java.lang.annotation.Annotation;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.resteasy.reactive.server.ServerResponseFilter;

/**
 * Errors on the OpenAI-compatible API ({@code /v1}) in OpenAI's envelope, which OpenAI's SDKs read:
 * {@code {"error": {"message", "type", "param", "code", "request_id", ...}}}, with the status, {@code Retry-After}
 * and rate-limit headers of the problem it replaces. The rest of Tollgate's API answers problem+json. Every refusal
 * is raised as a problem (one set of types for the whole suite) and turned into the envelope here, at the edge,
 * after quarkus-resteasy-problem has logged it.
 *
 * <p>
 * {@code code} is OpenAI's code where OpenAI has one for the case ({@code invalid_api_key},
 * {@code model_not_found}, {@code insufficient_quota}, {@code rate_limit_exceeded}, {@code unknown_url}), a
 * provider's own (such as {@code context_length_exceeded}) when it refused the request, and otherwise the problem
 * type's slug in OpenAI's spelling ({@code providers_unavailable}). {@code type} is OpenAI's class of error:
 * {@code invalid_request_error} for 4xx, {@code insufficient_quota}, {@code requests} for a rate limit,
 * {@code server_error} for 5xx. The problem's other members follow in snake case ({@code plan},
 * {@code upgrade_url}, {@code tried}, ...).
 */
public class OpenAiErrors {

    /** The path prefix of the OpenAI-compatible API. */
    public static final String PREFIX = "/v1";
    /** A problem member naming the request field that was wrong: OpenAI's {@code param}. */
    public static final String PARAM = "param";
    /** A problem member carrying the provider's own error code, passed through as OpenAI's {@code code}. */
    public static final String PROVIDER_CODE = "providerCode";

    private static final Map<String, String> OPENAI_CODES = Map.of(
            "invalid-token", "invalid_api_key",
            "unauthorized", "invalid_api_key",
            "unknown-model", "model_not_found",
            "model-not-in-plan", "model_not_found",
            "model-not-allowed-for-key", "model_not_found",
            "quota-exceeded", "insufficient_quota",
            "rate-limited", "rate_limit_exceeded",
            "not-found", "unknown_url");

    /** 400 {@code invalid-request} naming the request field that was wrong ({@code param} in OpenAI's envelope). */
    public static HttpProblem invalid(String param, String detail) {
        return Problems.builder(jakarta.ws.rs.core.Response.Status.BAD_REQUEST, "invalid-request", "Invalid Request")
                .withDetail(detail).with(PARAM, param).build();
    }

    @ServerResponseFilter
    public void envelope(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getEntity() instanceof HttpProblem problem && onOpenAiSurface(request.getUriInfo().getPath())) {
            response.setEntity(Map.of("error", error(problem)), new Annotation[0], MediaType.APPLICATION_JSON_TYPE);
        }
    }

    static boolean onOpenAiSurface(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    /** OpenAI's error object for {@code problem}. */
    public static Map<String, Object> error(HttpProblem problem) {
        String slug = slug(problem);
        Map<String, Object> error = new LinkedHashMap<>();
        error.put("message", message(problem, slug));
        error.put("type", type(problem, slug));
        Object param = problem.getParameters().get(PARAM);
        error.put("param", param != null ? param
                : "unknown-model".equals(slug) || "model-not-in-plan".equals(slug)
                        || "model-not-allowed-for-key".equals(slug)
                                ? "model"
                                : null);
        Object providerCode = problem.getParameters().get(PROVIDER_CODE);
        error.put("code", providerCode != null ? providerCode
                : slug == null ? null : OPENAI_CODES.getOrDefault(slug, slug.replace('-', '_')));
        problem.getParameters().forEach((name, value) -> {
            if (!name.equals(PARAM) && !name.equals(PROVIDER_CODE)) {
                error.putIfAbsent(snakeCase(name), value); // never in place of OpenAI's own fields
            }
        });
        if (!error.containsKey("request_id") && RequestIds.current() != null) {
            error.put("request_id", RequestIds.current());
        }
        return error;
    }

    private static String message(HttpProblem problem, String slug) {
        return problem.getDetail() != null ? problem.getDetail() : problem.getTitle();
    }

    private static String type(HttpProblem problem, String slug) {
        int status = problem.getStatusCode();
        if ("quota-exceeded".equals(slug)) {
            return "insufficient_quota";
        }
        if (status == 429) {
            // OpenAI's type names what the limit counts: requests, or tokens for a tokens-per-minute limit
            return "tokens".equals(problem.getParameters().get("unit")) ? "tokens" : "requests";
        }
        return status >= 500 ? "server_error" : "invalid_request_error";
    }

    /** The problem type's slug, for Tollgate's own types; null for others (about:blank). */
    private static String slug(HttpProblem problem) {
        String type = problem.getType() == null ? null : problem.getType().toString();
        if (type != null && type.startsWith(Problems.TYPE_BASE)) {
            return type.substring(Problems.TYPE_BASE.length());
        }
        return switch (problem.getStatusCode()) {
            case 404 -> "not-found";
            case 401 -> "unauthorized";
            default -> null;
        };
    }

    static String snakeCase(String name) {
        StringBuilder out = new StringBuilder(name.length() + 4);
        for (char c : name.toCharArray()) {
            if (Character.isUpperCase(c)) {
                out.append('_').append(Character.toLowerCase(c));
            } else {
                out.append(c);
            }
        }
        return out.toString();
    }
}
