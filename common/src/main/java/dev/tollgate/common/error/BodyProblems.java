package dev.tollgate.common.error;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import jakarta.ws.rs.core.Response;
import java.util.stream.Collectors;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * A request body that cannot be read as the endpoint's type is 400 {@code invalid-body} as problem+json, naming
 * where it went wrong: the body itself (a string or an array where an object belongs), a field of the wrong type
 * ({@code count}, {@code nested.on}), a field the endpoint does not take, or JSON that does not parse. Without these
 * mappers some of these answers had no body at all.
 */
public class BodyProblems {

    /** Before quarkus-resteasy-problem's own Jackson mappers, which it registers at 999 (a lower value wins). */
    static final int PRIORITY = 900;
    /** The longest field path named back. */
    private static final int MOST_FIELD = 100;

    @ServerExceptionMapper(value = MismatchedInputException.class, priority = PRIORITY)
    public Response mismatched(MismatchedInputException e) {
        String field = field(e);
        String detail;
        if (e instanceof UnrecognizedPropertyException unknown) {
            detail = "the request body has a field this endpoint does not take: '" + field + "'";
        } else if (field.isEmpty()) {
            detail = "the body must be a JSON " + expected(e) + ", not what was sent";
        } else {
            detail = "'" + field + "' in the request body must be a JSON " + expected(e);
        }
        var problem = Problems.builder(Response.Status.BAD_REQUEST, "invalid-body", "Invalid Body").withDetail(detail);
        if (!field.isEmpty()) {
            problem.with("field", field);
        }
        return problem.build().toResponse();
    }

    /** A value of the wrong type for its field: a more specific exception, with a mapper of its own to take over. */
    @ServerExceptionMapper(value = InvalidFormatException.class, priority = PRIORITY)
    public Response wrongFormat(InvalidFormatException e) {
        return mismatched(e);
    }

    /** A field the endpoint does not take (where a service refuses unknown fields). */
    @ServerExceptionMapper(value = UnrecognizedPropertyException.class, priority = PRIORITY)
    public Response unknownField(UnrecognizedPropertyException e) {
        return mismatched(e);
    }

    @ServerExceptionMapper(value = JsonParseException.class, priority = PRIORITY)
    public Response unparsable(JsonParseException e) {
        return Problems.builder(Response.Status.BAD_REQUEST, "invalid-body", "Invalid Body")
                .withDetail("the request body is not JSON" + (e.getLocation() == null ? ""
                        : " (at line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")"))
                .build().toResponse();
    }

    /** The field's path, as {@code nested.on} or {@code items[2].name}; empty for the body itself. */
    static String field(JsonMappingException e) {
        String path = e.getPath().stream().map(reference -> reference.getFieldName() != null ? "." + reference.getFieldName()
                : "[" + reference.getIndex() + "]").collect(Collectors.joining()).replaceFirst("^\\.", "");
        // the caller's own words, echoed in the answer and the log: no longer than a field name needs
        return path.length() > MOST_FIELD ? path.substring(0, MOST_FIELD) + "..." : path;
    }

    private static String expected(MismatchedInputException e) {
        Class<?> type = e.getTargetType();
        if (type == null) {
            return "value of another type";
        }
        if (type == String.class || type.isEnum() || CharSequence.class.isAssignableFrom(type)) {
            return "string";
        }
        if (type == boolean.class || type == Boolean.class) {
            return "boolean (true or false)";
        }
        if (type.isPrimitive() || Number.class.isAssignableFrom(type)) {
            return "number";
        }
        if (type.isArray() || java.util.Collection.class.isAssignableFrom(type)) {
            return "array";
        }
        return "object";
    }
}
