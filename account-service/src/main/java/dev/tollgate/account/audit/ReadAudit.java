package dev.tollgate.account.audit;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tollgate.account.audit.repository.AuditRepository;
import dev.tollgate.common.error.Problems;
import dev.tollgate.common.security.Caller;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * A tenant's audit log (its owners and admins only, by the endpoint's policy): paged newest first, filtered by action, actor
 * and time.
 */
@ApplicationScoped
public class ReadAudit {

    public static final int MAX_LIMIT = 200;
    private static final TypeReference<Map<String, String>> DETAILS = new TypeReference<>() {
    };

    public record EntryView(long id, Instant occurredAt, String service, String action, String actor, UUID userId,
            String ip, Map<String, String> details) {
    }

    /** A page; {@code nextCursor} (null on the last page) fetches the next one. */
    public record AuditPage(List<EntryView> entries, Long nextCursor) {
    }

    private final AuditRepository log;
    private final ObjectMapper json;

    public ReadAudit(AuditRepository log, ObjectMapper json) {
        this.log = log;
        this.json = json;
    }

    public Uni<AuditPage> page(Caller caller, String action, String actor, String from, String to, Long cursor,
            int limit) {
        if (limit < 1 || limit > MAX_LIMIT) {
            throw Problems.badRequest("limit-invalid", "Limit Invalid", "limit must be 1 to " + MAX_LIMIT);
        }
        AuditRepository.Filter filter = new AuditRepository.Filter(caller.tenantId(), blankToNull(action),
                blankToNull(actor), instant("from", from), instant("to", to), cursor, limit + 1);
        return Panache.withSession(() -> log.page(filter)).map(rows -> {
            boolean more = rows.size() > limit;
            List<EntryView> entries = rows.stream().limit(limit).map(row -> new EntryView(row.id, row.occurredAt,
                    row.service, row.action, row.actor, row.userId, row.ip, details(row.details))).toList();
            return new AuditPage(entries, more ? entries.get(entries.size() - 1).id() : null);
        });
    }

    private Map<String, String> details(String value) {
        try {
            return json.readValue(value, DETAILS);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Instant instant(String name, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw Problems.badRequest("time-invalid", "Time Invalid", name + " must be an ISO-8601 instant such as "
                    + "2026-11-01T00:00:00Z, not '" + value + "'");
        }
    }

    private static String blankToNull(String value) {
        return value == null || value.isBlank() ? null : value;
    }
}
