package dev.tollgate.common.error;

import io.quarkiverse.resteasy.problem.HttpProblem;
import jakarta.ws.rs.core.Response;
import java.net.URI;

/**
 * Builds RFC 7807 problems with Tollgate's stable {@code type} URIs. Throw what it returns from a service
 * method; quarkus-resteasy-problem renders it as {@code application/problem+json}.
 */
public final class Problems {

    /** Every problem type is this base plus a slug that never changes once published. */
    public static final String TYPE_BASE = "https://tollgate.dev/problems/";

    private static final int MOST_REASON = 500;

    private Problems() {
    }

    public static URI type(String slug) {
        return URI.create(TYPE_BASE + slug);
    }

    public static HttpProblem.Builder builder(Response.Status status, String slug, String title) {
        return HttpProblem.builder().withType(type(slug)).withStatus(status).withTitle(title);
    }

    /** A problem whose title is the status's reason phrase. */
    public static HttpProblem of(Response.Status status, String slug, String detail) {
        return builder(status, slug, status.getReasonPhrase()).withDetail(detail).build();
    }

    public static HttpProblem notFound(String what, Object id) {
        return builder(Response.Status.NOT_FOUND, "not-found", "Not Found")
                .withDetail(what + " " + id + " does not exist")
                .build();
    }

    public static HttpProblem unauthorized(String detail) {
        return builder(Response.Status.UNAUTHORIZED, "unauthorized", "Unauthorized").withDetail(detail).build();
    }

    /** 429 with {@code Retry-After}, for a limit that {@code detail} names. */
    public static HttpProblem tooManyRequests(String detail, long retryAfterSeconds) {
        return builder(Response.Status.TOO_MANY_REQUESTS, "rate-limited", "Too Many Requests")
                .withDetail(detail)
                .withHeader("Retry-After", retryAfterSeconds)
                .build();
    }

    public static HttpProblem badRequest(String slug, String title, String detail) {
        return builder(Response.Status.BAD_REQUEST, slug, title).withDetail(detail).build();
    }

    public static HttpProblem forbidden(String detail) {
        return builder(Response.Status.FORBIDDEN, "forbidden", "Forbidden").withDetail(detail).build();
    }

    /**
     * The reason an operator gives for closing something by hand, as one line of at most 500 characters (kept with
     * what it closes and logged). A missing or blank reason is a 400 {@code reason-required} whose detail says what
     * the reason is for, for example "the task is closed without calling Stripe".
     */
    public static String operatorReason(String reason, String why) {
        if (reason == null || reason.isBlank()) {
            throw badRequest("reason-required", "A reason is required", "say why " + why + ": {\"reason\": \"...\"}");
        }
        String line = reason.replaceAll("\\p{Cntrl}+", " ").strip();
        return line.length() > MOST_REASON ? line.substring(0, MOST_REASON) : line;
    }
}
